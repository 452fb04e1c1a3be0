/**
 * A local stand-in for the part of balena's API that provisioning/src/balena calls through balena-sdk.
 *
 * It is a real HTTP server on 127.0.0.1 that the unmodified SDK talks to. balena's API is pinejs (OData v4
 * over HTTP, under /v7) plus a few plain endpoints; this server parses each OData URL with
 * @balena/odata-parser, the parser pinejs itself uses, and answers from in-memory tables whose rows are typed
 * with the SDK's own resource types (`Device['Read']`, `Application['Read']`, ...), so a change of those types
 * in a new SDK version breaks the compilation of this file. What it implements:
 *
 *   GET  /actor/v1/whoami                     auth.isLoggedIn / auth.getUserInfo (UserKeyWhoAmIResponse)
 *   POST /api-key/v2/                         application.generateProvisioningKey (inside device.register)
 *   POST /device/register                     balena-register-device (inside device.register)
 *   GET  /v7/<resource>[(<key>)]?$filter...   every model's get/getAll (application, device, device_type,
 *                                             release, device_environment_variable, device_tag, ...)
 *   POST /v7/device_environment_variable      device.envVar.set (upsert: 409 on a duplicate, then PATCH)
 *   POST /v7/device_tag                       device.tags.set (the same upsert)
 *   PATCH /v7/device?$filter=...              device.rename, device.pinToRelease
 *   PATCH /v7/application(<id>)               application.pinToRelease
 *   PATCH /v7/device_environment_variable?... / device_tag?...   the upsert's second half
 *
 * OData support covers what those calls send: $select, $expand (nested, with $select/$filter/$expand inside),
 * $filter (eq ne gt ge lt le, and/or/not, in, startswith/endswith/contains, navigation paths and any/all
 * lambdas), $orderby, $top, $skip and keys by id or by an alternate key such as uuid. Anything else it is asked
 * is answered 501 and recorded in `unhandled`, which the tests require to stay empty.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// A CommonJS module: its default import is module.exports (named imports fail under Node's ESM loader).
import odataParser, { type ODataBinds, type ODataOptions, type ODataQuery } from '@balena/odata-parser';
import type {
  Application,
  BalenaSDK,
  CpuArchitecture,
  Device,
  DeviceEnvironmentVariable,
  DeviceTag,
  DeviceType,
  DeviceTypeAlias,
  Release,
  UserKeyWhoAmIResponse,
} from 'balena-sdk';

/** Every table the fake keeps, each row typed as the SDK reads it. */
export interface FakeBalenaTables {
  cpu_architecture: CpuArchitecture['Read'][];
  device_type: DeviceType['Read'][];
  device_type_alias: DeviceTypeAlias['Read'][];
  application: Application['Read'][];
  release: Release['Read'][];
  device: Device['Read'][];
  device_environment_variable: DeviceEnvironmentVariable['Read'][];
  device_tag: DeviceTag['Read'][];
}
type Table = keyof FakeBalenaTables;
type AnyRow = FakeBalenaTables[Table][number];
/** A row seen field by field, for the OData engine; rows are plain JSON objects. */
type Fields = Record<string, unknown>;

/** What balena's device registration answers: the SDK's own return type of device.register. */
export type RegisterResponse = Awaited<ReturnType<BalenaSDK['models']['device']['register']>>;

/**
 * Navigation properties: `to` is the table they lead to; a forward one is a `{ __id }` field of the row, a
 * reverse one (`via`) is the rows of `to` whose `via` field points back at this row.
 */
const NAV: Record<Table, Record<string, { to: Table; via?: string }>> = {
  cpu_architecture: {},
  device_type: {
    is_of__cpu_architecture: { to: 'cpu_architecture' },
    device_type_alias: { to: 'device_type_alias', via: 'device_type' },
  },
  device_type_alias: { device_type: { to: 'device_type' } },
  application: {
    is_for__device_type: { to: 'device_type' },
    should_be_running__release: { to: 'release' },
    owns__device: { to: 'device', via: 'belongs_to__application' },
    owns__release: { to: 'release', via: 'belongs_to__application' },
  },
  release: { belongs_to__application: { to: 'application' } },
  device: {
    belongs_to__application: { to: 'application' },
    is_of__device_type: { to: 'device_type' },
    is_pinned_on__release: { to: 'release' },
    should_be_running__release: { to: 'release' },
    device_tag: { to: 'device_tag', via: 'device' },
    device_environment_variable: { to: 'device_environment_variable', via: 'device' },
  },
  device_environment_variable: { device: { to: 'device' } },
  device_tag: { device: { to: 'device' } },
};

/** Natural keys that pinejs enforces as unique; a duplicate POST gets 409, which the SDK's upsert expects. */
const UNIQUE: Partial<Record<Table, string[]>> = {
  device_environment_variable: ['device', 'name'],
  device_tag: ['device', 'tag_key'],
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
/** A request the fake does not implement: answered 501 and recorded as a test failure. */
class Unsupported extends HttpError {
  constructor(what: string) {
    super(501, `fake balena API: not implemented: ${what}`);
  }
}

const iso = (t: number) => new Date(t).toISOString();
const navId = (v: unknown): unknown => (v !== null && typeof v === 'object' && '__id' in v ? v.__id : v);

export interface FakeFleetInput {
  slug: string;
  deviceType: string;
}

export class FakeBalenaApi {
  /** The tables; tests read them to see what the adapter wrote and seed them for what it reads. */
  readonly tables: FakeBalenaTables = {
    cpu_architecture: [],
    device_type: [],
    device_type_alias: [],
    application: [],
    release: [],
    device: [],
    device_environment_variable: [],
    device_tag: [],
  };
  /** Every request, in order: method, path with query, answer status. */
  readonly requests: { method: string; url: string; status: number }[] = [];
  /** Requests the fake could not answer (unknown endpoint, OData it does not implement). Must stay empty. */
  readonly unhandled: string[] = [];
  /** The user that owns `apiKey`. */
  readonly user: UserKeyWhoAmIResponse = {
    id: 100,
    actorType: 'user',
    actorTypeId: 10,
    username: 'lectern-ops',
    email: 'ops@lectern.example',
  };
  url = '';

  private readonly server: Server;
  private readonly provisioningKeys = new Map<string, { application: number; expires: number }>();
  private nextId = 1000;

  private constructor(readonly apiKey: string) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.seedDeviceTypes();
  }

  static async start(apiKey: string): Promise<FakeBalenaApi> {
    const api = new FakeBalenaApi(apiKey);
    await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
    api.url = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
    return api;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // --- seeding -------------------------------------------------------------------------------------------

  private id(): number {
    return this.nextId++;
  }

  private seedDeviceTypes(): void {
    const arch = (slug: string): CpuArchitecture['Read'] => {
      const row: CpuArchitecture['Read'] = { id: this.id(), slug };
      this.tables.cpu_architecture.push(row);
      return row;
    };
    const aarch64 = arch('aarch64');
    const amd64 = arch('amd64');
    const types: [slug: string, name: string, arch: CpuArchitecture['Read'], aliases: string[]][] = [
      ['raspberrypi4-64', 'Raspberry Pi 4 (using 64bit OS)', aarch64, []],
      ['raspberrypi5', 'Raspberry Pi 5', aarch64, []],
      ['jetson-orin-nano-devkit-nvme', 'Nvidia Jetson Orin Nano 8GB (SD) Devkit NVME', aarch64, []],
      ['generic-amd64', 'Generic x86_64 (GPT)', amd64, ['intel-nuc-gpt']],
    ];
    for (const [slug, name, cpu, aliases] of types) {
      const row: DeviceType['Read'] = {
        id: this.id(),
        slug,
        name,
        is_of__cpu_architecture: { __id: cpu.id },
        supports__cpu_architecture: { __id: cpu.id },
        logo: null,
        contract: null,
        belongs_to__device_family: null,
        is_private: false,
      };
      this.tables.device_type.push(row);
      // balena lists every device type as an alias of itself; the SDK looks device types up by alias.
      for (const alias of [slug, ...aliases])
        this.tables.device_type_alias.push({
          id: this.id(),
          device_type: { __id: row.id },
          is_referenced_by__alias: alias,
        });
    }
  }

  private deviceType(slug: string): DeviceType['Read'] {
    const t = this.tables.device_type.find((d) => d.slug === slug);
    if (!t) throw new Error(`fake balena API: no device type ${slug}`);
    return t;
  }

  /** Adds a fleet (balena's `application` of class fleet) for the default device type given. */
  addFleet(input: FakeFleetInput): Application['Read'] {
    const now = Date.now();
    const row: Application['Read'] = {
      id: this.id(),
      created_at: iso(now),
      actor: { __id: this.id() },
      should_track_latest_release: true,
      is_of__class: 'fleet',
      organization: { __id: 1 },
      app_name: input.slug.split('/').pop() ?? input.slug,
      slug: input.slug,
      is_for__device_type: { __id: this.deviceType(input.deviceType).id },
      should_be_running__release: null,
      application_type: { __id: 4 },
      is_host: false,
      is_archived: false,
      uuid: randomBytes(16).toString('hex'),
      is_public: false,
      is_accessible_by_support_until__date: null,
      is_discoverable: false,
      is_stored_at__repository_url: null,
    };
    this.tables.application.push(row);
    return row;
  }

  /** Adds a release of a fleet, as `balena push` leaves one: status success, final. */
  addRelease(fleet: Application['Read'], commit: string, status = 'success'): Release['Read'] {
    const now = Date.now();
    const row: Release['Read'] = {
      id: this.id(),
      created_at: iso(now),
      belongs_to__application: { __id: fleet.id },
      commit,
      composition: {},
      status,
      source: 'cloud',
      build_log: null,
      is_invalidated: false,
      start_timestamp: iso(now),
      end_timestamp: iso(now),
      update_timestamp: iso(now),
      release_version: null,
      contract: null,
      is_passing_tests: true,
      is_finalized_at__date: iso(now),
      phase: null,
      is_final: true,
      semver: '0.0.0',
      semver_major: 0,
      semver_minor: 0,
      semver_patch: 0,
      semver_prerelease: '',
      semver_build: '',
      variant: '',
      revision: 0,
      raw_version: '0.0.0',
      version: {},
      known_issue_list: null,
      note: null,
      invalidation_reason: null,
      is_created_by__user: { __id: this.user.actorTypeId },
    };
    this.tables.release.push(row);
    return row;
  }

  /** Adds a device in a fleet, as balena shows it after registration, with the fields given on top. */
  addDevice(
    fleet: Application['Read'],
    fields: Partial<Device['Read']> & { uuid: string; device_name: string },
    deviceType?: string,
  ): Device['Read'] {
    const now = Date.now();
    const row: Device['Read'] = {
      created_at: iso(now),
      modified_at: iso(now),
      id: this.id(),
      actor: { __id: this.id() },
      api_heartbeat_state: 'unknown',
      changed_api_heartbeat_state_on__date: null,
      local_id: null,
      note: null,
      is_of__device_type: deviceType ? { __id: this.deviceType(deviceType).id } : fleet.is_for__device_type,
      belongs_to__application: { __id: fleet.id },
      is_online: false,
      last_connectivity_event: null,
      is_connected_to_vpn: false,
      last_vpn_event: null,
      is_locked_until__date: null,
      public_address: null,
      ip_address: null,
      mac_address: null,
      is_web_accessible: false,
      memory_usage: null,
      memory_total: null,
      storage_block_device: null,
      storage_usage: null,
      storage_total: null,
      cpu_usage: null,
      cpu_temp: null,
      is_undervolted: false,
      cpu_id: null,
      is_running__release: null,
      download_progress: null,
      status: 'Inactive',
      os_version: null,
      os_variant: null,
      overall_status: 'inactive',
      overall_progress: null,
      supervisor_version: null,
      provisioning_progress: null,
      provisioning_state: null,
      is_managed_by__service_instance: null,
      is_pinned_on__release: null,
      should_be_running__release: null,
      should_be_operated_by__release: null,
      should_be_managed_by__release: null,
      update_status: null,
      last_update_status_event: null,
      belongs_to__user: { __id: this.user.actorTypeId },
      latitude: null,
      longitude: null,
      custom_latitude: null,
      custom_longitude: null,
      location: null,
      is_accessible_by_support_until__date: null,
      is_active: true,
      is_frozen: false,
      ...fields,
    };
    this.tables.device.push(row);
    return row;
  }

  /** The device with this uuid, or undefined. */
  device(uuid: string): Device['Read'] | undefined {
    return this.tables.device.find((d) => d.uuid === uuid);
  }

  /** A device's environment variables as name -> value. */
  envVars(uuid: string): Record<string, string> {
    const id = this.device(uuid)?.id;
    return Object.fromEntries(
      this.tables.device_environment_variable.filter((v) => navId(v.device) === id).map((v) => [v.name, v.value]),
    );
  }

  /** A device's tags as key -> value. */
  tags(uuid: string): Record<string, string> {
    const id = this.device(uuid)?.id;
    return Object.fromEntries(
      this.tables.device_tag.filter((t) => navId(t.device) === id).map((t) => [t.tag_key, t.value]),
    );
  }

  // --- HTTP ----------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let status = 500;
    let body: unknown;
    try {
      const json = raw ? (JSON.parse(raw) as unknown) : undefined;
      [status, body] = this.route(method, url, req.headers.authorization, json);
    } catch (err) {
      status = err instanceof HttpError ? err.status : 500;
      body = (err as Error).message;
      if (!(err instanceof HttpError) || err instanceof Unsupported)
        this.unhandled.push(`${method} ${url}: ${body as string}`);
    }
    this.requests.push({ method, url: decodeURIComponent(url), status });
    if (typeof body === 'string' && status >= 300) {
      // pinejs and balena's other endpoints answer errors as plain text.
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(body);
    } else if (body === undefined) {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('OK');
    } else {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    }
  }

  private route(method: string, url: string, authorization: string | undefined, body: unknown): [number, unknown] {
    const path = url.split('?')[0] ?? '';
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (method === 'POST' && path === '/device/register') return this.register(token, body);
    if (token !== this.apiKey) throw new HttpError(401, 'Unauthorized');
    if (method === 'GET' && path === '/actor/v1/whoami') return [200, this.user];
    if (method === 'POST' && path === '/api-key/v2/') return this.provisioningKey(body);
    if (path.startsWith('/v7/')) return this.odata(method, url.slice('/v7'.length), body);
    throw new Unsupported(`${method} ${path}`);
  }

  private provisioningKey(body: unknown): [number, unknown] {
    const b = body as { actorType?: string; actorTypeId?: number; roles?: string[]; expiryDate?: string };
    if (b.actorType !== 'application' || !b.roles?.includes('provisioning-api-key'))
      throw new Unsupported(`api key ${JSON.stringify(body)}`);
    if (!this.tables.application.some((a) => a.id === b.actorTypeId)) throw new HttpError(401, 'Unauthorized');
    const key = randomBytes(16).toString('hex');
    this.provisioningKeys.set(key, {
      application: b.actorTypeId!,
      expires: b.expiryDate ? Date.parse(b.expiryDate) : Infinity,
    });
    // balena answers the new key as a JSON string.
    return [200, key];
  }

  private register(token: string | undefined, body: unknown): [number, RegisterResponse] {
    const key = token ? this.provisioningKeys.get(token) : undefined;
    if (!key || key.expires < Date.now()) throw new HttpError(401, 'Unauthorized');
    const b = body as { user?: number; application?: number; uuid?: string; device_type?: string; api_key?: string };
    const fleet = this.tables.application.find((a) => a.id === b.application);
    if (!fleet || key.application !== fleet.id) throw new HttpError(401, 'Unauthorized');
    if (!b.uuid || !/^[0-9a-f]{32}([0-9a-f]{30})?$/.test(b.uuid)) throw new HttpError(400, 'Invalid uuid');
    if (this.device(b.uuid)) throw new HttpError(409, '"uuid" must be unique.');
    if (!b.device_type || !this.tables.device_type.some((t) => t.slug === b.device_type))
      throw new HttpError(400, `Invalid device type: ${b.device_type}`);
    const device = this.addDevice(fleet, { uuid: b.uuid, device_name: b.uuid.slice(0, 7) }, b.device_type);
    if (b.user !== undefined) device.belongs_to__user = { __id: b.user };
    return [201, { id: device.id, uuid: device.uuid, api_key: b.api_key ?? randomBytes(16).toString('hex') }];
  }

  // --- OData ---------------------------------------------------------------------------------------------

  private odata(method: string, url: string, body: unknown): [number, unknown] {
    let parsed: { tree: ODataQuery; binds: ODataBinds };
    try {
      parsed = odataParser.parse(url, { startRule: 'ProcessRule', rule: 'OData' });
    } catch (err) {
      throw new Unsupported(`unparsable OData ${url}: ${(err as Error).message}`);
    }
    const { tree, binds } = parsed;
    const table = String(tree.resource);
    if (!(table in this.tables)) throw new Unsupported(`resource ${table}`);
    const t = table as Table;
    const options: ODataOptions = tree.options ?? {};
    const key = tree.key as Record<string, { bind: number }> | { bind: number } | undefined;
    for (const o of Object.keys(options))
      if (!['$select', '$filter', '$expand', '$orderby', '$top', '$skip'].includes(o))
        throw new Unsupported(`option ${o}`);
    if (tree.property !== undefined || tree.link !== undefined) throw new Unsupported(`property or link in ${url}`);
    const ctx = new Query(this.tables, binds);
    let rows = this.rows(t);
    if (key) {
      const pairs: [string, unknown][] =
        'bind' in key && typeof key.bind === 'number'
          ? [['id', ctx.bind(key as { bind: number })]]
          : Object.entries(key as Record<string, { bind: number }>).map(([k, v]) => [k, ctx.bind(v)]);
      rows = rows.filter((r) => pairs.every(([k, v]) => navId(r[k]) === v));
    }
    if (options.$filter !== undefined) rows = rows.filter((r) => ctx.test(t, r, options.$filter, {}));
    switch (method) {
      case 'GET':
        return [200, { d: ctx.read(t, rows, options) }];
      case 'POST':
        if (key || options.$filter !== undefined) throw new Unsupported(`POST with key or filter ${url}`);
        return [201, this.create(t, body)];
      case 'PATCH':
        if (!key && options.$filter === undefined) throw new Unsupported(`PATCH of a whole table ${url}`);
        for (const r of rows) this.patch(t, r, body);
        return [200, undefined];
      default:
        throw new Unsupported(`${method} ${url}`);
    }
  }

  private rows(t: Table): Fields[] {
    const rows: object[] = this.tables[t];
    return rows as Fields[];
  }

  /** POST: the resources the SDK creates, from the SDK's own write types. */
  private create(t: Table, body: unknown): AnyRow {
    const unique = UNIQUE[t];
    const b = body as Fields;
    if (unique && this.rows(t).some((r) => unique.every((k) => navId(r[k]) === b[k])))
      // pinejs' answer to a unique-key violation, which the SDK's upsert recognises (409 and /unique/i).
      throw new HttpError(409, 'Unique key constraint violated');
    const deviceId = (b as { device?: unknown }).device;
    if (typeof deviceId === 'number' && !this.tables.device.some((d) => d.id === deviceId))
      // pinejs hides rows the caller may not see; writing under a missing parent is a 401, as the SDK expects.
      throw new HttpError(401, 'Unauthorized');
    if (t === 'device_environment_variable') {
      const w = body as DeviceEnvironmentVariable['Write'];
      checkKeys(t, w, ['device', 'name', 'value']);
      const row: DeviceEnvironmentVariable['Read'] = {
        id: this.id(),
        created_at: iso(Date.now()),
        device: { __id: w.device },
        name: w.name,
        value: w.value,
      };
      this.tables.device_environment_variable.push(row);
      return row;
    }
    if (t === 'device_tag') {
      const w = body as DeviceTag['Write'];
      checkKeys(t, w, ['device', 'tag_key', 'value']);
      const row: DeviceTag['Read'] = { id: this.id(), device: { __id: w.device }, tag_key: w.tag_key, value: w.value };
      this.tables.device_tag.push(row);
      return row;
    }
    throw new Unsupported(`POST ${t}`);
  }

  /** PATCH: only the fields the adapter's SDK calls write, from the SDK's own write types. */
  private patch(t: Table, row: Fields, body: unknown): void {
    const releaseRef = (v: unknown) => {
      if (v === null) return null;
      if (!this.tables.release.some((r) => r.id === v)) throw new HttpError(400, `no release ${JSON.stringify(v)}`);
      return { __id: v as number };
    };
    if (t === 'device') {
      const w = body as Partial<Device['Write']>;
      checkKeys(t, w, ['device_name', 'is_pinned_on__release']);
      const d = row as unknown as Device['Read'];
      if (w.device_name !== undefined) d.device_name = w.device_name;
      if (w.is_pinned_on__release !== undefined) d.is_pinned_on__release = releaseRef(w.is_pinned_on__release);
    } else if (t === 'application') {
      const w = body as Partial<Application['Write']>;
      checkKeys(t, w, ['should_be_running__release', 'should_track_latest_release']);
      const a = row as unknown as Application['Read'];
      if (w.should_be_running__release !== undefined)
        a.should_be_running__release = releaseRef(w.should_be_running__release);
      if (w.should_track_latest_release !== undefined)
        a.should_track_latest_release = Boolean(w.should_track_latest_release);
    } else if (t === 'device_environment_variable' || t === 'device_tag') {
      const w = body as Partial<DeviceEnvironmentVariable['Write'] | DeviceTag['Write']>;
      checkKeys(t, w, ['value']);
      (row as unknown as { value: string }).value = w.value!;
    } else {
      throw new Unsupported(`PATCH ${t}`);
    }
    if ('modified_at' in row) row.modified_at = iso(Date.now());
  }
}

function checkKeys(t: Table, body: object, allowed: string[]): void {
  const extra = Object.keys(body).filter((k) => !allowed.includes(k));
  if (extra.length) throw new Unsupported(`write of ${t}.${extra.join(', ')}`);
}

type Scope = Record<string, Fields>;

/** Evaluates one parsed OData request against the tables. */
class Query {
  constructor(
    private readonly tables: FakeBalenaTables,
    private readonly binds: ODataBinds,
  ) {}

  bind(ref: { bind: number | string }): unknown {
    const b = this.binds[ref.bind as number];
    if (!b) throw new Unsupported(`bind ${String(ref.bind)}`);
    return this.literal(b);
  }

  private literal([type, value]: [string, unknown]): unknown {
    switch (type) {
      case 'Text':
      case 'Real':
      case 'Integer':
      case 'Boolean':
        return value;
      case 'Null':
        return null;
      case 'Date':
      case 'Date Time':
        return (value as Date).toISOString();
      case 'List':
        return (value as [string, unknown][]).map((v) => this.literal(v));
      default:
        throw new Unsupported(`literal of type ${type}`);
    }
  }

  private rowsOf(t: Table): Fields[] {
    const rows: object[] = this.tables[t];
    return rows as Fields[];
  }

  /** The rows a navigation property of `row` leads to. */
  private follow(t: Table, row: Fields, nav: string): { to: Table; rows: Fields[] } {
    const n = NAV[t][nav];
    if (!n) throw new Unsupported(`navigation ${t}.${nav}`);
    if (n.via) return { to: n.to, rows: this.rowsOf(n.to).filter((r) => navId(r[n.via!]) === row.id) };
    const id = navId(row[nav]);
    return { to: n.to, rows: id === null || id === undefined ? [] : this.rowsOf(n.to).filter((r) => r.id === id) };
  }

  /** The value of an operand: a bind, a property path (through navigation and lambda variables) or a call. */
  private value(t: Table, row: Fields, node: unknown, scope: Scope): unknown {
    if (node === null) return null;
    if (Array.isArray(node)) {
      if (node[0] === 'call') return this.call(t, row, node[1] as { method: string; args: unknown[] }, scope);
      return this.test(t, row, node, scope);
    }
    const n = node as { bind?: number; name?: string; property?: unknown; lambda?: unknown };
    if (n.bind !== undefined) return this.bind(n as { bind: number });
    if (n.name === undefined) throw new Unsupported(`operand ${JSON.stringify(node)}`);
    if (n.lambda) throw new Unsupported(`lambda as a value`);
    let table = t;
    let current = row;
    let name = n.name;
    let property = n.property as typeof n | undefined;
    if (name in scope) {
      // a lambda variable: `dta/is_referenced_by__alias`
      const s = scope[name]!;
      table = s.__table as Table;
      current = s;
      if (!property) throw new Unsupported('bare lambda variable');
      name = property.name!;
      property = property.property as typeof n | undefined;
    }
    while (property) {
      const next = this.follow(table, current, name);
      if (next.rows.length !== 1) return null;
      table = next.to;
      current = next.rows[0]!;
      name = property.name!;
      property = property.property as typeof n | undefined;
    }
    if (!(name in current) && !NAV[table][name]) throw new Unsupported(`field ${table}.${name}`);
    return navId(current[name]);
  }

  private call(t: Table, row: Fields, c: { method: string; args: unknown[] }, scope: Scope): unknown {
    const args = c.args.map((a) => this.value(t, row, a, scope));
    const [a, b] = args as [unknown, unknown];
    const s = (v: unknown) => (typeof v === 'string' ? v : String(v));
    switch (c.method) {
      case 'startswith':
        return a !== null && s(a).startsWith(s(b));
      case 'endswith':
        return a !== null && s(a).endsWith(s(b));
      case 'contains':
        return a !== null && s(a).includes(s(b));
      case 'substringof':
        return b !== null && s(b).includes(s(a));
      case 'tolower':
        return a === null ? null : s(a).toLowerCase();
      default:
        throw new Unsupported(`function ${c.method}`);
    }
  }

  /** Whether `row` of table `t` matches a $filter tree. */
  test(t: Table, row: Fields, filter: unknown, scope: Scope): boolean {
    if (!Array.isArray(filter)) {
      const f = filter as { name?: string; lambda?: { identifier: string; method: string; expression: unknown } };
      if (f.lambda && f.name) {
        const { to, rows } = this.follow(t, row, f.name);
        const match = (r: Fields) =>
          this.test(to, r, f.lambda!.expression, { ...scope, [f.lambda!.identifier]: { ...r, __table: to } });
        if (f.lambda.method === 'any') return rows.some(match);
        if (f.lambda.method === 'all') return rows.every(match);
        throw new Unsupported(`lambda ${f.lambda.method}`);
      }
      return this.value(t, row, filter, scope) === true;
    }
    const [op, ...args] = filter as [string, ...unknown[]];
    const v = (i: number) => this.value(t, row, args[i], scope);
    const cmp = (a: unknown, b: unknown) => (a === null || b === null ? NaN : a! < b! ? -1 : a! > b! ? 1 : 0);
    switch (op) {
      case 'and':
        return args.every((a) => this.test(t, row, a, scope));
      case 'or':
        return args.some((a) => this.test(t, row, a, scope));
      case 'not':
        return !this.test(t, row, args[0], scope);
      case 'eq':
        return v(0) === v(1);
      case 'ne':
        return v(0) !== v(1);
      case 'gt':
        return cmp(v(0), v(1)) > 0;
      case 'ge':
        return cmp(v(0), v(1)) >= 0;
      case 'lt':
        return cmp(v(0), v(1)) < 0;
      case 'le':
        return cmp(v(0), v(1)) <= 0;
      case 'eqany':
        return (v(1) as unknown[]).includes(v(0));
      case 'call':
        return this.call(t, row, args[0] as { method: string; args: unknown[] }, scope) === true;
      default:
        throw new Unsupported(`filter operator ${op}`);
    }
  }

  /** GET: filtered rows ordered, paged, projected ($select) and expanded ($expand). */
  read(t: Table, rows: Fields[], options: ODataOptions): Fields[] {
    let out = [...rows];
    for (const p of [...(options.$orderby?.properties ?? [])].reverse()) {
      if (p.property) throw new Unsupported(`$orderby through navigation`);
      const dir = p.order === 'desc' ? -1 : 1;
      out.sort((a, b) => {
        const x = navId(a[p.name]) as string | number;
        const y = navId(b[p.name]) as string | number;
        return x < y ? -dir : x > y ? dir : 0;
      });
    }
    const num = (o: unknown) => (typeof o === 'number' ? o : (this.bind(o as { bind: number }) as number));
    if (options.$skip !== undefined) out = out.slice(num(options.$skip));
    if (options.$top !== undefined) out = out.slice(0, num(options.$top));
    return out.map((r) => this.project(t, r, options));
  }

  private project(t: Table, row: Fields, options: ODataOptions): Fields {
    let fields = Object.keys(row);
    const select = options.$select;
    if (select && select !== '*') {
      fields = select.properties.map((p) => {
        if (p.property) throw new Unsupported('$select through navigation');
        if (!(p.name in row)) throw new Unsupported(`$select of ${t}.${p.name}`);
        return p.name;
      });
    }
    const out: Fields = {};
    for (const f of fields) out[f] = row[f];
    for (const e of options.$expand?.properties ?? []) {
      if (e.property || e.count) throw new Unsupported(`$expand form ${JSON.stringify(e)}`);
      const { to, rows } = this.follow(t, row, e.name);
      const inner: ODataOptions = e.options ?? {};
      for (const o of Object.keys(inner))
        if (!['$select', '$filter', '$expand', '$orderby', '$top', '$skip'].includes(o))
          throw new Unsupported(`option ${o} in $expand`);
      const kept = inner.$filter === undefined ? rows : rows.filter((r) => this.test(to, r, inner.$filter, {}));
      out[e.name] = this.read(to, kept, inner);
    }
    return out;
  }
}
