#!/bin/sh
# First start: create the dynamic-security store with the broker admin (only this admin may use
# $CONTROL/dynamic-security); later starts reuse the volume.
set -eu
STORE=/mosquitto/data/dynamic-security.json
if [ ! -f "$STORE" ]; then
  : "${MOSQUITTO_ADMIN_PASSWORD:?set MOSQUITTO_ADMIN_PASSWORD}"
  mosquitto_ctrl dynsec init "$STORE" admin "$MOSQUITTO_ADMIN_PASSWORD"
  chown mosquitto:mosquitto "$STORE" 2>/dev/null || true
fi
exec mosquitto -c /mosquitto/config/mosquitto.conf
