#!/usr/bin/env node
import { Command } from 'commander';
import { balenaCommand } from './balena/cli';
import { provisionDevice } from './provision';

// The options of `lectern-provision` itself are not required options for commander: commander would demand them
// of the `balena` subcommands too. They are checked in the action below.
const program = new Command('lectern-provision')
  .description('Register a Lectern device with the cloud and write its device config file')
  // Options before a subcommand belong to lectern-provision, after it to the subcommand.
  .enablePositionalOptions()
  .option('--cloud <url>', 'cloud base URL (required)', process.env.LECTERN_CLOUD_URL)
  .option('--device <id>', 'device id (lowercase slug, e.g. hall-a-cam-1) (required)')
  .option('--room <id>', 'room id the camera watches (required)')
  .option('--room-name <name>', 'create the room with this name if it does not exist')
  .option('--building <name>', 'building of a newly created room', 'Main')
  .option('--user <name>', 'installer or admin user', process.env.LECTERN_USER ?? 'admin')
  .option('--password <password>', 'password (or env LECTERN_PASSWORD)', process.env.LECTERN_PASSWORD)
  .option('--out <file>', 'device config file to write', 'device.yaml')
  .action(
    async (o: {
      cloud?: string;
      device?: string;
      room?: string;
      roomName?: string;
      building: string;
      user: string;
      password?: string;
      out: string;
    }) => {
      for (const [flag, value] of [
        ['--cloud <url>', o.cloud],
        ['--device <id>', o.device],
        ['--room <id>', o.room],
      ] as const)
        if (!value) program.error(`error: required option '${flag}' not specified`);
      if (!o.password) throw new Error('a password is required: --password or env LECTERN_PASSWORD');
      const r = await provisionDevice({
        cloudUrl: o.cloud!,
        username: o.user,
        password: o.password,
        deviceId: o.device!,
        roomId: o.room!,
        roomName: o.roomName,
        buildingName: o.building,
        out: o.out,
      });
      process.stdout.write(
        `device ${r.deviceId} registered in room ${r.roomId}; broker ${r.mqttUrl}; config written to ${r.written}\n`,
      );
      process.stdout.write(`start it with: lectern-device run --config ${r.written}\n`);
    },
  )
  .addCommand(balenaCommand());

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`lectern-provision: ${(err as Error).message}\n`);
  process.exit(1);
});
