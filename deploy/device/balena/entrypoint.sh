#!/bin/sh
# Starts the Lectern agent in a balena container. balena hands the device its config as the device environment
# variable LECTERN_DEVICE_CONFIG (the agent's device.yaml, written by `lectern-provision balena register`); the
# agent reads a file, so this writes one, makes the state volume and the camera usable by the user `lectern`,
# and runs the agent as that user. See docs/fleet.md.
set -eu

CONFIG_DIR=/run/lectern
CONFIG="$CONFIG_DIR/device.yaml"
DATA_DIR=/var/lib/lectern-device

if [ -z "${LECTERN_DEVICE_CONFIG:-}" ]; then
  echo "lectern: LECTERN_DEVICE_CONFIG is not set on this device; provision it with" >&2
  echo "  lectern-provision balena register --fleet <fleet> --uuid ${BALENA_DEVICE_UUID:-<uuid>} --device <id> --room <room> ..." >&2
  echo "(docs/fleet.md). Retrying in 60 s." >&2
  sleep 60
  exit 1
fi

# The file holds the device's MQTT password: readable by the agent's user only, on the container's own disk.
mkdir -p "$CONFIG_DIR"
umask 077
printf '%s\n' "$LECTERN_DEVICE_CONFIG" > "$CONFIG"
chown -R lectern:lectern "$CONFIG_DIR"

# balena creates named volumes owned by root; the outbox, seq counter and OTA models live here.
mkdir -p "$DATA_DIR"
chown lectern:lectern "$DATA_DIR"

# The container is privileged, so it sees the host's /dev; the camera nodes carry the host's group id, which
# need not be this image's `video` group. Let `lectern` join whatever group owns each camera.
for dev in /dev/video*; do
  [ -e "$dev" ] || continue
  gid=$(stat -c %g "$dev")
  group=$(getent group "$gid" | cut -d: -f1 || true)
  if [ -z "$group" ]; then
    group="cam$gid"
    groupadd --system --gid "$gid" "$group"
  fi
  usermod --append --groups "$group" lectern
done

echo "lectern: starting device ${LECTERN_DEVICE_ID:-?} in room ${LECTERN_ROOM_ID:-?} (balena device ${BALENA_DEVICE_UUID:-?})"
exec setpriv --reuid=lectern --regid=lectern --init-groups \
  node /opt/lectern/device/dist/cli.js run --config "$CONFIG"
