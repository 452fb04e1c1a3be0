import type { Device } from 'balena-sdk';

/** The same three states the Lectern cloud's fleet view shows for its own devices (DeviceEntity.status). */
export type LecternDeviceStatus = 'online' | 'offline' | 'never';

/** The fields of balena's device resource that health is read from. */
export const HEALTH_FIELDS = [
  'uuid',
  'device_name',
  'is_online',
  'last_connectivity_event',
  'api_heartbeat_state',
  'changed_api_heartbeat_state_on__date',
] as const satisfies readonly (keyof Device['Read'])[];

export type HealthFields = Pick<Device['Read'], (typeof HEALTH_FIELDS)[number]>;

/** One balena device as Lectern's fleet view shows it. */
export interface BalenaDeviceHealth {
  uuid: string;
  /** balena's device name; `lectern-provision balena register` sets it to the Lectern device id. */
  deviceName: string;
  /** The `lectern.room` tag, or null when the device has none. */
  roomId: string | null;
  status: LecternDeviceStatus;
  /**
   * When balena last had a heartbeat from the device, ms since the epoch: the time of reading for an online
   * device, the moment its heartbeat state left `online` for one that is not, null for one never seen.
   */
  lastSeen: number | null;
  /** Why the status is what it is, in words, for the fleet view's tooltip and the CLI. */
  reason: string;
  /** balena's own fields, unchanged. */
  balena: {
    apiHeartbeatState: Device['Read']['api_heartbeat_state'];
    heartbeatStateSince: string | null;
    vpnConnected: boolean;
    lastConnectivityEvent: string | null;
  };
}

const ms = (date: string | null): number | null => {
  if (!date) return null;
  const t = Date.parse(date);
  return Number.isNaN(t) ? null : t;
};

/**
 * Maps a balena device to Lectern's online/offline/never.
 *
 * balena keeps two signals: `api_heartbeat_state`, the device's periodic check-in with the API (`online`,
 * `timeout` = the heartbeat is overdue, `offline`, `unknown` = not reported, e.g. a device that never booted
 * or an old supervisor), and `is_online`, its VPN link, whose last change is `last_connectivity_event`. The
 * heartbeat is the authoritative one: a device whose heartbeat timed out is offline even while its VPN session
 * has not yet been torn down. Only when there is no heartbeat state does the VPN link decide.
 */
export function healthFromDevice(d: HealthFields, roomId: string | null, now = Date.now()): BalenaDeviceHealth {
  const since = ms(d.changed_api_heartbeat_state_on__date);
  const lastEvent = ms(d.last_connectivity_event);
  const sinceText = (t: number | null) => (t === null ? '' : ` since ${new Date(t).toISOString()}`);
  let status: LecternDeviceStatus;
  let lastSeen: number | null;
  let reason: string;
  switch (d.api_heartbeat_state) {
    case 'online':
      status = 'online';
      lastSeen = now;
      reason = `API heartbeat online${sinceText(since)}`;
      break;
    case 'timeout':
      status = 'offline';
      lastSeen = since ?? lastEvent;
      reason = `API heartbeat overdue${sinceText(since)}${d.is_online ? ' (VPN link still up)' : ''}`;
      break;
    case 'offline':
      status = 'offline';
      lastSeen = since ?? lastEvent;
      reason = `API heartbeat offline${sinceText(since)}`;
      break;
    default:
      if (d.is_online) {
        status = 'online';
        lastSeen = now;
        reason = `no API heartbeat reported; VPN link up${sinceText(lastEvent)}`;
      } else if (lastEvent !== null) {
        status = 'offline';
        lastSeen = lastEvent;
        reason = `no API heartbeat reported; VPN link down${sinceText(lastEvent)}`;
      } else {
        status = 'never';
        lastSeen = null;
        reason = 'never connected';
      }
  }
  return {
    uuid: d.uuid,
    deviceName: d.device_name,
    roomId,
    status,
    lastSeen,
    reason,
    balena: {
      apiHeartbeatState: d.api_heartbeat_state,
      heartbeatStateSince: d.changed_api_heartbeat_state_on__date,
      vpnConnected: d.is_online,
      lastConnectivityEvent: d.last_connectivity_event,
    },
  };
}
