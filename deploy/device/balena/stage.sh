#!/bin/sh
# Assembles a balena project folder for the Lectern agent: balena builds from the folder it is given and only
# from inside it (a compose build context may not point above it), while the agent's build needs the
# repository's device-side workspaces. The folder gets docker-compose.yml, Dockerfile.template and
# entrypoint.sh at its root, next to the files deploy/device/Dockerfile.rpi also copies.
#   deploy/device/balena/stage.sh /tmp/lectern-balena
#   balena push <org>/<fleet> --source /tmp/lectern-balena
set -eu

out=${1:?usage: stage.sh <output folder>}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)

rm -rf "$out"
mkdir -p "$out"
cd "$root"
# Every workspace's package.json (the lockfile covers them all), then the sources of the three device-side ones.
for f in package.json package-lock.json .npmrc tsconfig.json \
  shared/protocol/package.json vision/package.json models/package.json device/package.json \
  cloud/package.json lab/package.json provisioning/package.json tests/package.json \
  shared/protocol/tsconfig.json shared/protocol/tsconfig.build.json shared/protocol/src \
  vision/tsconfig.json vision/tsconfig.build.json vision/src vision/models \
  device/tsconfig.json device/tsconfig.build.json device/src; do
  mkdir -p "$out/$(dirname "$f")"
  cp -R "$f" "$out/$f"
done
cp "$here/docker-compose.yml" "$here/Dockerfile.template" "$here/entrypoint.sh" "$out/"
echo "balena project in $out; push it with: balena push <org>/<fleet> --source $out"
