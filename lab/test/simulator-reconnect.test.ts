import { decode, topicFilter } from '@lectern/protocol';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src';
import { startBroker, type TestBroker } from '../../device/test/helpers/broker';

// Issue 12: a leftover once('error') -> end(true) made simulated devices give up for good after a broker
// restart. A real broker goes away (refused reconnects included) and comes back on the same port.
describe('simulator across a broker restart', () => {
  let broker: TestBroker | null = null;
  let sim: Simulator | null = null;
  afterEach(async () => {
    await sim?.stop().catch(() => {});
    await broker?.close();
  });

  it('reconnects and keeps publishing once the broker is back', async () => {
    broker = await startBroker();
    const port = broker.port;
    const errors: string[] = [];
    sim = await startSimulator({
      brokerUrl: broker.url,
      devices: [{ deviceId: 'sim-restart', roomId: 'room-r' }],
      hz: 20,
      onError: (_id, err) => errors.push(err.message),
    });
    await new Promise((r) => setTimeout(r, 300));
    const before = sim.published();
    expect(before).toBeGreaterThan(0);

    await broker.close();
    broker = null;
    // Down long enough for at least one refused reconnect (reconnectPeriod is 1 s).
    await new Promise((r) => setTimeout(r, 2500));
    broker = await startBroker(port);

    const watcher = await mqtt.connectAsync(broker.url, { clientId: 'watcher' });
    const seqs: number[] = [];
    watcher.on('message', (_t, payload) => {
      const r = decode('snapshot', payload);
      if (r.ok) seqs.push(r.value.seq);
    });
    await watcher.subscribeAsync(topicFilter('snapshot'), { qos: 1 });
    const deadline = Date.now() + 10_000;
    while (seqs.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await watcher.endAsync();
    expect(seqs.length).toBeGreaterThanOrEqual(5);
    expect(sim.published()).toBeGreaterThan(before);
    expect(errors.some((e) => /ECONNREFUSED|closed|disconnect/i.test(e))).toBe(true);
  }, 20_000);
});
