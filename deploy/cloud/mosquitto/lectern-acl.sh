#!/bin/sh
# Idempotent broker setup for Lectern: everything denied by default, one role for the cloud service.
# Usage: lectern-acl.sh  (env: MQTT_HOST, MQTT_PORT, MOSQUITTO_ADMIN_PASSWORD, LECTERN_MQTT_USERNAME,
# LECTERN_MQTT_PASSWORD, LECTERN_MQTT_CLIENT_ID (default lectern-cloud-ingest)). Re-running only reports "already exists" for what is there.
set -u
ctl() { mosquitto_ctrl -h "${MQTT_HOST:-mosquitto}" -p "${MQTT_PORT:-1883}" -u admin -P "$MOSQUITTO_ADMIN_PASSWORD" dynsec "$@"; }
ROOT=lectern/v1/devices

# Deny what no role grants (the plugin defaults allow receiving and unsubscribing). Sent as the plugin's own
# JSON command: `mosquitto_ctrl dynsec setDefaultACLAccess <acl> deny` returns 0 on 2.0.11 and changes
# nothing. Then read back and fail unless all four are denied.
mosquitto_pub -h "${MQTT_HOST:-mosquitto}" -p "${MQTT_PORT:-1883}" -u admin -P "$MOSQUITTO_ADMIN_PASSWORD" -q 1 \
  -t '$CONTROL/dynamic-security/v1' \
  -m '{"commands":[{"command":"setDefaultACLAccess","acls":[
    {"acltype":"publishClientSend","allow":false},{"acltype":"publishClientReceive","allow":false},
    {"acltype":"subscribe","allow":false},{"acltype":"unsubscribe","allow":false}]}]}'
DEFAULTS=$(ctl getDefaultACLAccess 2>/dev/null)
if [ "$(printf '%s\n' "$DEFAULTS" | grep -c ': deny')" -ne 4 ]; then
  printf 'default ACL access is not deny-all:\n%s\n' "$DEFAULTS" >&2
  exit 1
fi

ctl createRole lectern-cloud
for kind in snapshot status telemetry response; do
  ctl addRoleACL lectern-cloud subscribePattern "$ROOT/+/$kind" allow
  ctl addRoleACL lectern-cloud unsubscribePattern "$ROOT/+/$kind" allow
  ctl addRoleACL lectern-cloud publishClientReceive "$ROOT/+/$kind" allow
done
for kind in config command; do ctl addRoleACL lectern-cloud publishClientSend "$ROOT/+/$kind" allow; done

# The cloud's service credential may connect only with the cloud's ingest client id, and (since every device
# is bound to its own id, see add-device.sh) no other credential may use that id: nobody takes over the
# cloud's persistent session.
CLOUD_ID=${LECTERN_MQTT_CLIENT_ID:-lectern-cloud-ingest}
ctl createClient "$LECTERN_MQTT_USERNAME" -c "$CLOUD_ID" -p "$LECTERN_MQTT_PASSWORD"
ctl setClientPassword "$LECTERN_MQTT_USERNAME" "$LECTERN_MQTT_PASSWORD"
ctl setClientId "$LECTERN_MQTT_USERNAME" "$CLOUD_ID"
ctl addClientRole "$LECTERN_MQTT_USERNAME" lectern-cloud
echo "lectern broker ACL ready"
