#!/usr/bin/env bash
# Start a 3-node NATS JetStream cluster with the MQTT listener on every node, on loopback, for tests and
# benches (issue 16). Each node gets its own store dir under a temp (or given) directory, rendered from
# node.conf.template. Waits until every node has two routes and sees a JetStream meta leader, then prints
#
#   node<i> pid=<pid> mqtt=mqtt://HOST:P nats=nats://HOST:P http=http://HOST:P   (one line per node)
#   MQTT_URLS=mqtt://...,mqtt://...,mqtt://...
#   READY
#
# and keeps running until SIGINT/SIGTERM, which stops the nodes (SIGTERM, then SIGKILL after 10 s) and
# removes the temp dir. A node that dies on its own (a test's SIGKILL) does not stop the others.
# (A background job of a non-interactive shell starts with SIGINT ignored, which bash cannot trap: use SIGTERM.)
#
# Usage: start-cluster.sh [--base-port N] [--host H] [--dir DIR] [--auth FILE] [--keep]
#   --base-port N   node i uses N+10*(i-1) + {0: client, 1: MQTT, 2: HTTP monitor, 3: cluster}  (default 24220,
#                   env LECTERN_NATS_BASE_PORT)
#   --host H        listen address (default 127.0.0.1, env LECTERN_NATS_HOST)
#   --dir DIR       parent of the per-node store dirs and rendered configs (default: mktemp -d; removed at exit)
#   --auth FILE     authorization file from cloud/src/mqtt/nats-auth.ts (env LECTERN_NATS_AUTH_FILE); without
#                   one, a file is generated with the cloud user only (LECTERN_MQTT_USERNAME / _PASSWORD,
#                   default lectern-cloud / lectern-dev) through `npx tsx cloud/src/mqtt/nats-auth.ts`
#   --keep          keep DIR at exit
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
base="${LECTERN_NATS_BASE_PORT:-24220}"
host="${LECTERN_NATS_HOST:-127.0.0.1}"
dir=""
auth="${LECTERN_NATS_AUTH_FILE:-}"
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --base-port) base="$2"; shift 2 ;;
    --host) host="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --auth) auth="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "start-cluster.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

command -v nats-server >/dev/null || { echo "start-cluster.sh: nats-server not found on PATH" >&2; exit 3; }
command -v curl >/dev/null || { echo "start-cluster.sh: curl not found on PATH" >&2; exit 3; }

made_dir=0
if [ -z "$dir" ]; then dir="$(mktemp -d "${TMPDIR:-/tmp}/lectern-nats-XXXXXX")"; made_dir=1; fi
mkdir -p "$dir"

if [ -z "$auth" ]; then
  auth="$dir/auth.conf"
  (cd "$repo" && npx --no-install tsx cloud/src/mqtt/nats-auth.ts \
    --cloud-user "${LECTERN_MQTT_USERNAME:-lectern-cloud}" \
    --cloud-password "${LECTERN_MQTT_PASSWORD:-lectern-dev}" --out "$auth") >&2
fi
auth="$(cd "$(dirname "$auth")" && pwd)/$(basename "$auth")"

port() { echo $((base + 10 * ($1 - 1) + $2)); }
routes=""
for i in 1 2 3; do routes="${routes:+$routes, }nats-route://$host:$(port "$i" 3)"; done

pids=()
stopping=0
stop() {
  [ "$stopping" = 1 ] && return
  stopping=1
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 100); do
    alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$made_dir" = 1 ] && [ "$keep" = 0 ]; then rm -rf "$dir"; fi
}
trap 'stop; exit 0' INT TERM
trap 'stop' EXIT

for i in 1 2 3; do
  mkdir -p "$dir/n$i/store"
  sed -e "s|@NAME@|lectern-n$i|g" -e "s|@HOST@|$host|g" \
    -e "s|@CLIENT_PORT@|$(port "$i" 0)|g" -e "s|@MQTT_PORT@|$(port "$i" 1)|g" \
    -e "s|@HTTP_PORT@|$(port "$i" 2)|g" -e "s|@CLUSTER_PORT@|$(port "$i" 3)|g" \
    -e "s|@ROUTES@|$routes|g" -e "s|@STORE_DIR@|$dir/n$i/store|g" \
    "$here/node.conf.template" >"$dir/n$i/nats.conf"
  ln -sf "$auth" "$dir/n$i/auth.conf"
  nats-server -c "$dir/n$i/nats.conf" -l "$dir/n$i/nats.log" &
  pids+=("$!")
done

# Formed: every node has 2 routes and reports a JetStream meta leader (and its MQTT port accepts).
deadline=$((SECONDS + ${LECTERN_NATS_START_TIMEOUT_S:-60}))
for i in 1 2 3; do
  http="http://$host:$(port "$i" 2)"
  until routes_n="$(curl -sf "$http/routez" | grep -o '"num_routes": *[0-9]*' | grep -o '[0-9]*$')" &&
    [ "${routes_n:-0}" -ge 2 ] &&
    curl -sf "$http/jsz" | tr -d '\n ' | grep -q '"meta_cluster":{[^}]*"leader":"lectern-n' &&
    (exec 3<>"/dev/tcp/$host/$(port "$i" 1)") 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "start-cluster.sh: node $i not ready; logs in $dir/n*/nats.log" >&2
      tail -n 20 "$dir/n$i/nats.log" >&2 || true
      keep=1
      exit 1
    fi
    kill -0 "${pids[$((i - 1))]}" 2>/dev/null || { echo "start-cluster.sh: node $i exited" >&2; tail -n 20 "$dir/n$i/nats.log" >&2; keep=1; exit 1; }
    sleep 0.2
  done
done

urls=""
for i in 1 2 3; do
  echo "node$i pid=${pids[$((i - 1))]} mqtt=mqtt://$host:$(port "$i" 1) nats=nats://$host:$(port "$i" 0) http=http://$host:$(port "$i" 2) dir=$dir/n$i"
  urls="${urls:+$urls,}mqtt://$host:$(port "$i" 1)"
done
echo "MQTT_URLS=$urls"
echo "READY"

# Keep running until signalled (or until every node is gone).
while :; do
  alive=0
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
  [ "$alive" = 0 ] && break
  sleep 1 &
  wait $! || true
done
