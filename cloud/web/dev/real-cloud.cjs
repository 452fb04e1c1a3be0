// Starts the real cloud (compiled into ./dist/cloud by `tsc -p cloud/tsconfig.build.json --outDir web/dev/dist/cloud`)
// serving the built dashboard, with simulated devices, for screenshots against the real API.
//   node cloud/web/dev/real-cloud.cjs [httpPort]
const { join } = require('node:path');
const { startCloud, provisionDevice } = require('./dist/cloud/index.js');

async function main() {
  const port = process.argv[2] ?? '8091';
  const cloud = await startCloud({
    LECTERN_HTTP_PORT: port,
    LECTERN_MQTT_PORT: 'auto',
    LECTERN_DATA_DIR: process.env.LECTERN_DATA_DIR ?? '/tmp/lectern-web-real',
    LECTERN_ADMIN_PASSWORD: 'admin-password',
    LECTERN_WEB_DIR: join(__dirname, '../../web-dist'),
    LECTERN_LOG_LEVEL: 'warn',
  });
  let sim = null;
  try {
    const { startSimulator } = require('@lectern/device');
    const devices = [];
    for (const [roomId, roomName, n] of [
      ['demo-hall', 'Demo Hall', 2],
      ['lab-1', 'Lab 1', 1],
      ['seminar-2', 'Seminar 2', 1],
    ]) {
      for (let i = 1; i <= n; i++) {
        const deviceId = `sim-${roomId}-${i}`;
        const creds = await provisionDevice(cloud, { id: deviceId, roomId, roomName, buildingName: 'Main' });
        devices.push({ deviceId, roomId, username: creds.username, password: creds.password });
      }
    }
    sim = await startSimulator({ brokerUrl: cloud.mqttUrl, devices, hz: 1, firstSeq: Date.now() });
  } catch (err) {
    console.error('simulator unavailable:', err.message);
  }
  console.log(`real cloud on ${cloud.httpUrl} (admin / admin-password), mqtt ${cloud.mqttUrl}`);
  const stop = async () => {
    await sim?.stop();
    await cloud.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
