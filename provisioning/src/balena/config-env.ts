/**
 * How a Lectern device config travels to a balena device: as device environment variables, which the balena
 * supervisor hands to the agent's container. The agent itself (`lectern-device run --config <file>`) reads only
 * a YAML file, so the container's entrypoint (deploy/device/balena/entrypoint.sh) writes LECTERN_DEVICE_CONFIG to
 * a file and starts the agent on it. LECTERN_DEVICE_ID and LECTERN_ROOM_ID repeat what the YAML says, for the
 * balena dashboard (filtering, support) and for the entrypoint's start-up line.
 */

/** The three things `provisionDevice` returns that a device needs: who it is, where it is, its config file. */
export interface LecternDeviceConfig {
  deviceId: string;
  roomId: string;
  /** The agent's device.yaml as the cloud wrote it (broker URL, per-device credentials, camera source). */
  configYaml: string;
}

export const ENV_CONFIG = 'LECTERN_DEVICE_CONFIG';
export const ENV_DEVICE_ID = 'LECTERN_DEVICE_ID';
export const ENV_ROOM_ID = 'LECTERN_ROOM_ID';

/** The device tag that names the Lectern room a balena device watches. */
export const ROOM_TAG = 'lectern.room';

/** balena's rule for variable names; names starting with BALENA_ or RESIN_ are reserved for balena itself. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The device environment variables that carry one device's Lectern config, by name. */
export function lecternEnvVars(config: LecternDeviceConfig): Record<string, string> {
  if (!config.configYaml.trim()) throw new Error('the device config is empty');
  const vars: Record<string, string> = {
    [ENV_CONFIG]: config.configYaml,
    [ENV_DEVICE_ID]: config.deviceId,
    [ENV_ROOM_ID]: config.roomId,
  };
  for (const name of Object.keys(vars)) {
    if (!ENV_NAME.test(name) || /^(BALENA|RESIN)_/.test(name)) throw new Error(`bad variable name ${name}`);
  }
  return vars;
}
