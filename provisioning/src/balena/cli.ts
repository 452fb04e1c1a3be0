import { Command } from 'commander';
import { BALENA_CLOUD_API, BalenaFleet, type PinTarget } from './fleet';
import type { BalenaDeviceHealth } from './health';
import { provisionBalenaDevice } from './provision';

interface BalenaGlobals {
  balenaApi: string;
  balenaApiKey?: string;
}

const write = (line: string) => process.stdout.write(`${line}\n`);

/** Options every `balena` subcommand takes: where balena is and the key. */
function withBalena(cmd: Command): Command {
  return cmd
    .option(
      '--balena-api <url>',
      'balena API URL (openBalena: your instance)',
      process.env.BALENA_API_URL ?? BALENA_CLOUD_API,
    )
    .option('--balena-api-key <key>', 'balena API key (or env BALENA_API_KEY)', process.env.BALENA_API_KEY);
}

function connect(o: BalenaGlobals): Promise<BalenaFleet> {
  return BalenaFleet.connect({ apiUrl: o.balenaApi, apiKey: o.balenaApiKey ?? '' });
}

/** A fleet is given by slug (organization/fleet-name) or numeric id. */
const fleetRef = (v: string): string | number => (/^\d+$/.test(v) ? Number(v) : v);

function healthLine(h: BalenaDeviceHealth): string {
  const seen = h.lastSeen === null ? 'never' : new Date(h.lastSeen).toISOString();
  return [h.deviceName, h.uuid.slice(0, 7), h.roomId ?? '-', h.status, seen, h.reason].join('\t');
}

/** `lectern-provision balena ...`: the balena path (docs/fleet.md). */
export function balenaCommand(): Command {
  const balena = new Command('balena').description(
    'Provision and manage Lectern devices in a balena fleet (docs/fleet.md)',
  );

  withBalena(
    balena
      .command('register')
      .description(
        'register a device with the Lectern cloud and in a balena fleet, write its config as device environment variables and tag it with its room',
      )
      .requiredOption('--fleet <slug>', 'balena fleet: organization/fleet-name or numeric id')
      .option('--device-type <slug>', "balena device type, e.g. raspberrypi5 (default: the fleet's)")
      .option('--uuid <uuid>', 'configure this device, already in the fleet, instead of registering a new one')
      .requiredOption('--cloud <url>', 'Lectern cloud base URL', process.env.LECTERN_CLOUD_URL)
      .requiredOption('--device <id>', 'Lectern device id (lowercase slug, e.g. hall-a-cam-1)')
      .requiredOption('--room <id>', 'room id the camera watches')
      .option('--room-name <name>', 'create the room with this name if it does not exist')
      .option('--building <name>', 'building of a newly created room', 'Main')
      .option('--user <name>', 'Lectern installer or admin user', process.env.LECTERN_USER ?? 'admin')
      .option('--password <password>', 'Lectern password (or env LECTERN_PASSWORD)', process.env.LECTERN_PASSWORD),
  ).action(
    async (
      o: BalenaGlobals & {
        fleet: string;
        deviceType?: string;
        uuid?: string;
        cloud: string;
        device: string;
        room: string;
        roomName?: string;
        building: string;
        user: string;
        password?: string;
      },
    ) => {
      if (!o.password) throw new Error('a password is required: --password or env LECTERN_PASSWORD');
      const r = await provisionBalenaDevice({
        balena: { apiUrl: o.balenaApi, apiKey: o.balenaApiKey ?? '' },
        fleet: fleetRef(o.fleet),
        deviceType: o.deviceType,
        uuid: o.uuid,
        cloudUrl: o.cloud,
        username: o.user,
        password: o.password,
        deviceId: o.device,
        roomId: o.room,
        roomName: o.roomName,
        buildingName: o.building,
      });
      write(`device ${r.deviceId} registered in room ${r.roomId}; broker ${r.mqttUrl}`);
      write(
        `balena device ${r.uuid} in fleet ${r.fleet}: ${r.variables.join(', ')} set, tagged lectern.room=${r.roomId}`,
      );
      if (r.registered) {
        write(`device type ${r.registered.deviceType}`);
        write(
          `write its SD card: balena config generate --device ${r.uuid} --version <balenaOS version> --output config.json, then balena os configure <image> --config config.json`,
        );
      }
    },
  );

  withBalena(
    balena
      .command('health')
      .description("online state of a fleet's devices, or of the devices given, as Lectern's fleet view shows it")
      .option('--fleet <slug>', 'every device of this fleet')
      .option('--uuid <uuid...>', 'these devices')
      .option('--json', 'print JSON'),
  ).action(async (o: BalenaGlobals & { fleet?: string; uuid?: string[]; json?: boolean }) => {
    if (!o.fleet === !o.uuid) throw new Error('give either --fleet or --uuid');
    const fleet = await connect(o);
    const health = o.fleet ? await fleet.readFleetHealth(fleetRef(o.fleet)) : await fleet.readHealth(o.uuid!);
    if (o.json) write(JSON.stringify(health, null, 2));
    else for (const h of health) write(healthLine(h));
  });

  withBalena(
    balena
      .command('pin')
      .description('pin a fleet or one device to a release (full commit hash), for a staged agent/model rollout')
      .requiredOption('--release <commit>', 'the release commit that `balena push` printed')
      .option('--fleet <slug>', 'pin the fleet (devices not pinned themselves)')
      .option('--uuid <uuid>', 'pin one device'),
  ).action(async (o: BalenaGlobals & { release: string; fleet?: string; uuid?: string }) => {
    if (!o.fleet === !o.uuid) throw new Error('give either --fleet or --uuid');
    const target: PinTarget = o.fleet ? { fleet: fleetRef(o.fleet) } : { device: o.uuid! };
    const fleet = await connect(o);
    await fleet.pinRelease(target, o.release);
    write(`${o.fleet ? `fleet ${o.fleet}` : `device ${o.uuid}`} pinned to release ${o.release}`);
  });

  return balena;
}
