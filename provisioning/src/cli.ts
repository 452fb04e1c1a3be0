#!/usr/bin/env node
import { Command } from 'commander';
import { provisionDevice } from './provision';

const program = new Command('lectern-provision')
  .description('Register a Lectern device with the cloud and write its device config file')
  .requiredOption('--cloud <url>', 'cloud base URL', process.env.LECTERN_CLOUD_URL)
  .requiredOption('--device <id>', 'device id (lowercase slug, e.g. hall-a-cam-1)')
  .requiredOption('--room <id>', 'room id the camera watches')
  .option('--room-name <name>', 'create the room with this name if it does not exist')
  .option('--building <name>', 'building of a newly created room', 'Main')
  .option('--user <name>', 'installer or admin user', process.env.LECTERN_USER ?? 'admin')
  .option('--password <password>', 'password (or env LECTERN_PASSWORD)', process.env.LECTERN_PASSWORD)
  .option('--out <file>', 'device config file to write', 'device.yaml')
  .action(
    async (o: {
      cloud: string;
      device: string;
      room: string;
      roomName?: string;
      building: string;
      user: string;
      password?: string;
      out: string;
    }) => {
      if (!o.password) throw new Error('a password is required: --password or env LECTERN_PASSWORD');
      const r = await provisionDevice({
        cloudUrl: o.cloud,
        username: o.user,
        password: o.password,
        deviceId: o.device,
        roomId: o.room,
        roomName: o.roomName,
        buildingName: o.building,
        out: o.out,
      });
      process.stdout.write(
        `device ${r.deviceId} registered in room ${r.roomId}; broker ${r.mqttUrl}; config written to ${r.written}\n`,
      );
      process.stdout.write(`start it with: lectern-device run --config ${r.written}\n`);
    },
  );

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`lectern-provision: ${(err as Error).message}\n`);
  process.exit(1);
});
