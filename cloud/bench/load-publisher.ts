// Child process: the simulated devices. Runs apart from the cloud so the load generator's CPU shows up
// as a competing process (as real devices' network stack would not), not inside the cloud's event loop.
import { connectAsync, type MqttClient } from 'mqtt';
import { topicFor } from '@lectern/protocol';
import type { BurstJob, PublisherJob, PublisherReport, RateJob } from './messages';
import { snapshotEncoder } from './snapshot-template';

const report = (m: PublisherReport): void => void process.send?.(m);

async function connectAll(job: PublisherJob): Promise<MqttClient[]> {
  const clients: MqttClient[] = [];
  // A few at a time: hundreds of simultaneous CONNECTs with bcrypt-style checks would time out.
  for (let i = 0; i < job.devices.length; i += 25) {
    const batch = job.devices.slice(i, i + 25).map((d) =>
      connectAsync(job.brokerUrl, {
        clientId: `lectern-${d.deviceId}`, // the embedded broker ties client ids to device credentials
        ...(d.username ? { username: d.username, password: d.password } : {}),
        reconnectPeriod: 0,
        connectTimeout: 30_000,
      }),
    );
    clients.push(...(await Promise.all(batch)));
  }
  return clients;
}

async function burst(job: BurstJob, clients: MqttClient[]): Promise<number> {
  let sent = 0;
  await Promise.all(
    job.devices.map(async (d, i) => {
      const client = clients[i]!;
      const encodeAt = snapshotEncoder(d.deviceId, d.roomId, job.faces);
      const topic = topicFor('snapshot', d.deviceId);
      const inFlight = new Set<Promise<unknown>>();
      for (let seq = 1; seq <= job.perDevice; seq++) {
        const p = client.publishAsync(topic, encodeAt(seq, job.virtualStart + (seq - 1) * 1000), { qos: 1 });
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
        sent++;
        if (inFlight.size >= job.window) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    }),
  );
  return sent;
}

async function atRate(job: RateJob, clients: MqttClient[]): Promise<number> {
  const periodMs = 1000 / job.hz;
  const start = Date.now();
  const end = start + job.durationS * 1000;
  const encoders = job.devices.map((d) => snapshotEncoder(d.deviceId, d.roomId, job.faces));
  const topics = job.devices.map((d) => topicFor('snapshot', d.deviceId));
  // Devices are spread evenly over the period, as independent cameras would be.
  const next = job.devices.map((_, i) => start + (i / job.devices.length) * periodMs);
  const seqs = job.devices.map(() => 0);
  let sent = 0;
  while (Date.now() < end) {
    const now = Date.now();
    for (let i = 0; i < clients.length; i++) {
      if (next[i]! > now) continue;
      next[i]! += periodMs;
      void clients[i]!.publishAsync(topics[i]!, encoders[i]!(++seqs[i]!, Date.now()), { qos: 1 }).catch(() => {});
      sent++;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return sent;
}

process.once('message', (job: PublisherJob) => {
  void (async () => {
    try {
      const clients = await connectAll(job);
      report({ type: 'ready' });
      await new Promise<void>((resolve) => process.once('message', () => resolve()));
      const startedAt = Date.now();
      const sent = job.mode === 'burst' ? await burst(job, clients) : await atRate(job, clients);
      const endedAt = Date.now();
      await Promise.all(clients.map((c) => c.endAsync()));
      report({ type: 'done', sent, startedAt, endedAt });
    } catch (err) {
      report({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  })();
});
