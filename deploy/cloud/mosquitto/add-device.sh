#!/bin/sh
# Registers one device with the broker, with exactly the rights the embedded broker gives it: publish its
# own snapshot/status/telemetry/response, subscribe to (and receive) its own config/command, nothing else.
# The device may connect only with client id lectern-<deviceId> (the agent's default), or the one given as
# third argument (the agent's broker.clientId), so no device can knock another offline or take over the
# cloud's session by borrowing its client id.
# Usage: add-device.sh <deviceId> <password> [clientId]   (the credentials the cloud's installer page printed)
# env: MQTT_HOST, MQTT_PORT, MOSQUITTO_ADMIN_PASSWORD
set -eu
ID=${1:?usage: add-device.sh <deviceId> <password>}
PASSWORD=${2:?usage: add-device.sh <deviceId> <password>}
case "$ID" in
  *[!a-z0-9_-]* | [!a-z0-9]*) echo "invalid device id \"$ID\" (lowercase letters, digits, _ and -)" >&2; exit 2 ;;
esac
ctl() { mosquitto_ctrl -h "${MQTT_HOST:-mosquitto}" -p "${MQTT_PORT:-1883}" -u admin -P "$MOSQUITTO_ADMIN_PASSWORD" dynsec "$@"; }
T="lectern/v1/devices/$ID"
ROLE="device-$ID"
ctl createRole "$ROLE" || true
for kind in snapshot status telemetry response; do ctl addRoleACL "$ROLE" publishClientSend "$T/$kind" allow || true; done
for kind in config command; do
  ctl addRoleACL "$ROLE" subscribeLiteral "$T/$kind" allow || true
  ctl addRoleACL "$ROLE" unsubscribeLiteral "$T/$kind" allow || true
  ctl addRoleACL "$ROLE" publishClientReceive "$T/$kind" allow || true
done
CLIENT_ID=${3:-lectern-$ID}
case "$CLIENT_ID" in
  lectern-cloud*) echo "client id \"$CLIENT_ID\" is reserved for the cloud" >&2; exit 2 ;;
esac
ctl createClient "$ID" -c "$CLIENT_ID" -p "$PASSWORD" || ctl setClientPassword "$ID" "$PASSWORD"
ctl setClientId "$ID" "$CLIENT_ID"
ctl addClientRole "$ID" "$ROLE" || true
echo "device $ID registered with the broker"
