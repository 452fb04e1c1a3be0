import { getSdk, type BalenaSDK } from 'balena-sdk';
import { lecternEnvVars, ROOM_TAG, type LecternDeviceConfig } from './config-env';
import { HEALTH_FIELDS, healthFromDevice, type BalenaDeviceHealth } from './health';

export const BALENA_CLOUD_API = 'https://api.balena-cloud.com';

export interface BalenaFleetOptions {
  /** balena API base URL; balenaCloud by default, or an openBalena instance. */
  apiUrl?: string;
  /** A balena API key of a user who may manage the fleet (dashboard: Preferences -> Access tokens). */
  apiKey: string;
}

export interface RegisterDeviceInput {
  /** The Lectern device id; becomes the balena device name. */
  deviceId: string;
  /** balena device type slug, e.g. raspberrypi5 or jetson-orin-nano-devkit-nvme; the fleet's own by default. */
  deviceType?: string;
  /** A 32- or 62-character hex uuid; generated when absent. */
  uuid?: string;
}

export interface RegisteredDevice {
  id: number;
  uuid: string;
  /** The fleet's slug (organization/fleet-name). */
  fleet: string;
  deviceType: string;
  deviceName: string;
  /** The device's own API key, for `balena config generate --device <uuid> --device-api-key <key>`. */
  deviceApiKey: string;
}

/** A fleet (slug or numeric id) or one device (uuid) to pin to a release. */
export type PinTarget = { fleet: string | number } | { device: string };

/** An error from balena in words: what Lectern tried, what balena said, and what to do about it. */
export class BalenaFleetError extends Error {
  constructor(
    message: string,
    readonly statusCode?: number,
  ) {
    super(message);
    this.name = 'BalenaFleetError';
  }
}

interface SdkError {
  code?: string;
  statusCode?: number;
  body?: unknown;
  message?: string;
  cause?: { code?: string; message?: string };
}

/**
 * Lectern's balena adapter: registers devices in a balena fleet, hands them their Lectern config as device
 * environment variables, tags them with their room, reads their online state for the fleet view and pins a
 * fleet or a device to a release (the agent image with its models) for a staged rollout.
 *
 * Everything goes through balena-sdk, so the requests are the SDK's own; the tests run it against a local
 * server that implements the part of balena's API those calls use (test/support/fake-balena-api.ts).
 */
export class BalenaFleet {
  readonly apiUrl: string;

  private constructor(
    private readonly sdk: BalenaSDK,
    apiUrl: string,
  ) {
    this.apiUrl = apiUrl;
  }

  /** Logs in with the API key and checks it, so a wrong key fails here, in words, not halfway through. */
  static async connect(opts: BalenaFleetOptions): Promise<BalenaFleet> {
    if (!opts.apiKey) throw new BalenaFleetError('a balena API key is required (--balena-api-key or BALENA_API_KEY)');
    const apiUrl = (opts.apiUrl ?? BALENA_CLOUD_API).replace(/\/+$/, '');
    // dataDirectory false: keep the key in memory, never in ~/.balena (this is a tool, not the balena CLI).
    const sdk = getSdk({ apiUrl, dataDirectory: false, retryRateLimitedRequests: true });
    await sdk.auth.loginWithToken(opts.apiKey);
    const fleet = new BalenaFleet(sdk, apiUrl);
    const loggedIn = await fleet.call('check the API key', () => sdk.auth.isLoggedIn());
    if (!loggedIn) throw fleet.unauthorized('check the API key');
    return fleet;
  }

  /**
   * Creates the device in the fleet (balena's device registration: a short-lived provisioning key, then
   * POST /device/register), names it after the Lectern device id and reads it back.
   */
  async registerDevice(fleet: string | number, input: RegisterDeviceInput): Promise<RegisteredDevice> {
    const what = `register ${input.deviceId} in fleet ${fleet}`;
    const app = await this.getFleet(fleet, what);
    const uuid = input.uuid ?? this.sdk.models.device.generateUniqueKey();
    const registered = await this.call(what, () => this.sdk.models.device.register(app.id, uuid, input.deviceType));
    await this.nameDevice(registered.uuid, input.deviceId);
    const device = await this.call(what, () =>
      this.sdk.models.device.get(registered.uuid, {
        $select: ['id', 'uuid', 'device_name'],
        $expand: { is_of__device_type: { $select: 'slug' } },
      }),
    );
    return {
      id: device.id,
      uuid: device.uuid,
      fleet: app.slug,
      deviceType: device.is_of__device_type[0]?.slug ?? input.deviceType ?? '',
      deviceName: device.device_name,
      deviceApiKey: registered.api_key,
    };
  }

  /** The device with this uuid and the slug of its fleet. */
  async getDevice(uuid: string): Promise<{ id: number; uuid: string; deviceName: string; fleet: string | null }> {
    const d = await this.call(`find device ${uuid}`, () =>
      this.sdk.models.device.get(uuid, {
        $select: ['id', 'uuid', 'device_name'],
        $expand: { belongs_to__application: { $select: 'slug' } },
      }),
    );
    return { id: d.id, uuid: d.uuid, deviceName: d.device_name, fleet: d.belongs_to__application[0]?.slug ?? null };
  }

  /** Names the device after its Lectern device id, so both dashboards show the same name. */
  async nameDevice(uuid: string, deviceId: string): Promise<void> {
    await this.call(`name device ${uuid} ${deviceId}`, () => this.sdk.models.device.rename(uuid, deviceId));
  }

  /** Writes the device's Lectern config as device environment variables; returns what was written. */
  async writeConfig(uuid: string, config: LecternDeviceConfig): Promise<Record<string, string>> {
    const vars = lecternEnvVars(config);
    const what = `write the Lectern config of device ${uuid}`;
    // The device's numeric id once, so each set is one request (the SDK looks the uuid up on every call).
    const { id } = await this.call(what, () => this.sdk.models.device.get(uuid, { $select: 'id' }));
    for (const [name, value] of Object.entries(vars)) {
      await this.call(what, () => this.sdk.models.device.envVar.set(id, name, value));
    }
    return vars;
  }

  /** Tags the device with its Lectern room (`lectern.room`), replacing an earlier room. */
  async tagRoom(uuid: string, roomId: string): Promise<void> {
    await this.call(`tag device ${uuid} with room ${roomId}`, () =>
      this.sdk.models.device.tags.set(uuid, ROOM_TAG, roomId),
    );
  }

  /**
   * Online state of the given devices in one request, in the order asked; a uuid balena does not know is an
   * error naming it.
   */
  async readHealth(uuids: readonly string[], now = Date.now()): Promise<BalenaDeviceHealth[]> {
    if (uuids.length === 0) return [];
    const devices = await this.call('read device health', () =>
      this.sdk.pine.get({
        resource: 'device',
        options: {
          $select: [...HEALTH_FIELDS],
          $filter: { uuid: { $in: [...uuids] } },
          $expand: { device_tag: { $select: ['tag_key', 'value'], $filter: { tag_key: ROOM_TAG } } },
        },
      }),
    );
    const byUuid = new Map(devices.map((d) => [d.uuid, d]));
    const missing = uuids.filter((u) => !byUuid.has(u));
    if (missing.length)
      throw new BalenaFleetError(`read device health: balena has no device ${missing.join(', ')} (or no access to it)`);
    return uuids.map((u) => {
      const d = byUuid.get(u)!;
      return healthFromDevice(d, d.device_tag[0]?.value ?? null, now);
    });
  }

  /** Online state of every device in a fleet, by device name. */
  async readFleetHealth(fleet: string | number, now = Date.now()): Promise<BalenaDeviceHealth[]> {
    const what = `read the health of fleet ${fleet}`;
    const app = await this.getFleet(fleet, what);
    const devices = await this.call(what, () =>
      this.sdk.models.device.getAllByApplication(app.id, {
        $select: [...HEALTH_FIELDS],
        $expand: { device_tag: { $select: ['tag_key', 'value'], $filter: { tag_key: ROOM_TAG } } },
      }),
    );
    return devices.map((d) => healthFromDevice(d, d.device_tag[0]?.value ?? null, now));
  }

  /**
   * Pins a fleet (every device that is not pinned itself) or one device to a release, given by its full commit
   * hash (`balena push` prints it; `balena release list <fleet>` lists them). A fleet pinned this way stops
   * following its newest release until it is pinned again.
   */
  async pinRelease(target: PinTarget, release: string): Promise<void> {
    if ('fleet' in target) {
      const what = `pin fleet ${target.fleet} to release ${release}`;
      const app = await this.getFleet(target.fleet, what);
      await this.call(what, () => this.sdk.models.application.pinToRelease(app.id, release));
    } else {
      await this.call(`pin device ${target.device} to release ${release}`, () =>
        this.sdk.models.device.pinToRelease(target.device, release),
      );
    }
  }

  /** The fleet's numeric id and slug; a fleet balena does not know (or the key cannot see) is an error. */
  async getFleet(fleet: string | number, what = `find fleet ${fleet}`): Promise<{ id: number; slug: string }> {
    return this.call(what, () => this.sdk.models.application.get(fleet, { $select: ['id', 'slug'] }));
  }

  private unauthorized(what: string): BalenaFleetError {
    return new BalenaFleetError(
      `${what}: balena at ${this.apiUrl} rejected the API key (401 Unauthorized); ` +
        'create one in the balena dashboard (Preferences -> Access tokens) and pass it with --balena-api-key or BALENA_API_KEY',
      401,
    );
  }

  /** Runs one SDK call and turns what balena says into an error in words. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (raw) {
      throw this.explain(what, raw);
    }
  }

  private explain(what: string, raw: unknown): BalenaFleetError {
    if (raw instanceof BalenaFleetError) return raw;
    const err = (raw ?? {}) as SdkError;
    const said = err.message ?? String(raw);
    switch (err.code) {
      case 'BalenaNotLoggedIn':
      case 'BalenaMalformedToken':
      case 'BalenaExpiredToken':
        return this.unauthorized(what);
      case 'BalenaApplicationNotFound':
        return new BalenaFleetError(
          `${what}: fleet not found on ${this.apiUrl} (${said}); give its slug as organization/fleet-name, ` +
            'as `balena fleet list` shows it, and check that the API key can see it',
          404,
        );
      case 'BalenaDeviceNotFound':
        return new BalenaFleetError(`${what}: device not found on ${this.apiUrl} (${said})`, 404);
      case 'BalenaReleaseNotFound':
        return new BalenaFleetError(
          `${what}: no successful release with that commit in the device's fleet (${said}); ` +
            'give the full commit hash that `balena push` printed',
          404,
        );
      case 'BalenaInvalidDeviceType':
        return new BalenaFleetError(`${what}: ${said} (not compatible with the fleet's CPU architecture)`);
    }
    if (err.statusCode === 401) return this.unauthorized(what);
    if (err.statusCode !== undefined) {
      const body = typeof err.body === 'string' ? err.body : JSON.stringify(err.body);
      return new BalenaFleetError(`${what}: balena answered ${err.statusCode}: ${body || said}`, err.statusCode);
    }
    const cause = err.cause?.code ?? err.cause?.message;
    return new BalenaFleetError(`${what}: cannot reach balena at ${this.apiUrl}: ${said}${cause ? ` (${cause})` : ''}`);
  }
}
