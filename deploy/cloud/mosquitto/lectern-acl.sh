#!/bin/sh
# Idempotent broker setup for Lectern: everything denied by default, one role for the cloud service.
# Usage: lectern-acl.sh  (env: MQTT_HOST, MQTT_PORT, MOSQUITTO_ADMIN_PASSWORD, LECTERN_MQTT_USERNAME,
# LECTERN_MQTT_PASSWORD). Re-running only reports "already exists" for what is there.
set -u
ctl() { mosquitto_ctrl -h "${MQTT_HOST:-mosquitto}" -p "${MQTT_PORT:-1883}" -u admin -P "$MOSQUITTO_ADMIN_PASSWORD" dynsec "$@"; }
ROOT=lectern/v1/devices

# Deny what no role grants (the plugin defaults allow receiving and unsubscribing).
for acl in publishClientSend publishClientReceive subscribe unsubscribe; do ctl setDefaultACLAccess "$acl" deny; done

ctl createRole lectern-cloud
for kind in snapshot status telemetry response; do
  ctl addRoleACL lectern-cloud subscribePattern "$ROOT/+/$kind" allow
  ctl addRoleACL lectern-cloud unsubscribePattern "$ROOT/+/$kind" allow
  ctl addRoleACL lectern-cloud publishClientReceive "$ROOT/+/$kind" allow
done
for kind in config command; do ctl addRoleACL lectern-cloud publishClientSend "$ROOT/+/$kind" allow; done

ctl createClient "$LECTERN_MQTT_USERNAME" -p "$LECTERN_MQTT_PASSWORD"
ctl setClientPassword "$LECTERN_MQTT_USERNAME" "$LECTERN_MQTT_PASSWORD"
ctl addClientRole "$LECTERN_MQTT_USERNAME" lectern-cloud
echo "lectern broker ACL ready"
