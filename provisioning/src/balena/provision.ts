import { provisionDevice, type ProvisionOptions } from '../provision';
import { BalenaFleet, type BalenaFleetOptions } from './fleet';

export interface BalenaProvisionOptions extends Omit<ProvisionOptions, 'out'> {
  balena: BalenaFleetOptions;
  /** The balena fleet: organization/fleet-name slug or numeric id. */
  fleet: string | number;
  /** balena device type slug; the fleet's own when absent. Ignored with `uuid`. */
  deviceType?: string;
  /**
   * A device that already joined the fleet (flashed with the fleet's image): configure it instead of
   * registering a new one.
   */
  uuid?: string;
}

export interface BalenaProvisionResult {
  deviceId: string;
  roomId: string;
  mqttUrl: string;
  uuid: string;
  fleet: string;
  /** Set when the device was registered now (not with `uuid`). */
  registered?: { deviceType: string; deviceApiKey: string };
  /** Names of the device environment variables written. */
  variables: string[];
}

/**
 * The balena path of `lectern-provision`: checks the balena API key and fleet, registers the device with the
 * Lectern cloud (room, MQTT credentials, config file), then registers it in the balena fleet (or takes the
 * device given by uuid), writes its config as device environment variables and tags it with its room.
 */
export async function provisionBalenaDevice(opts: BalenaProvisionOptions): Promise<BalenaProvisionResult> {
  // balena first: a wrong key or fleet should fail before anything is created in the Lectern cloud.
  const fleet = await BalenaFleet.connect(opts.balena);
  const app = await fleet.getFleet(opts.fleet);
  const existing = opts.uuid ? await fleet.getDevice(opts.uuid) : undefined;
  if (existing && existing.fleet !== app.slug)
    throw new Error(`balena device ${existing.uuid} is in fleet ${existing.fleet ?? '(none)'}, not in ${app.slug}`);
  const lectern = await provisionDevice({ ...opts, out: undefined });
  let uuid: string;
  let registered: BalenaProvisionResult['registered'];
  if (existing) {
    uuid = existing.uuid;
    await fleet.nameDevice(uuid, lectern.deviceId);
  } else {
    const r = await fleet.registerDevice(app.id, { deviceId: lectern.deviceId, deviceType: opts.deviceType });
    uuid = r.uuid;
    registered = { deviceType: r.deviceType, deviceApiKey: r.deviceApiKey };
  }
  const vars = await fleet.writeConfig(uuid, lectern);
  await fleet.tagRoom(uuid, lectern.roomId);
  return {
    deviceId: lectern.deviceId,
    roomId: lectern.roomId,
    mqttUrl: lectern.mqttUrl,
    uuid,
    fleet: app.slug,
    registered,
    variables: Object.keys(vars),
  };
}
