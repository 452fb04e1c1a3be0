// Child process: one dashboard (SSE client) per room, measuring device capture -> browser receipt.
import { writeFileSync } from 'node:fs';
import { readSseEvents } from '../test/helpers/sse';
import type { ListenerJob, ListenerReport } from './messages';

const report = (m: ListenerReport): void => void process.send?.(m);
/** LECTERN_BENCH_TRACE=file: also writes every [receivedAt, latencyMs] pair there, to see latency over time. */
const TRACE = process.env.LECTERN_BENCH_TRACE;
const trace: [number, number][] = [];

async function listen(job: ListenerJob, roomId: string, samples: number[], signal: AbortSignal): Promise<void> {
  const res = await fetch(`${job.httpUrl}/api/rooms/${roomId}/live`, {
    headers: { authorization: `Bearer ${job.token}`, accept: 'text/event-stream' },
    signal,
  });
  if (res.status !== 200 || !res.body) throw new Error(`SSE for ${roomId}: HTTP ${res.status}`);
  void readSseEvents(res.body, ({ event, data }) => {
    if (event !== 'aggregate') return;
    // ts is the capture time of the snapshot that produced this aggregate.
    const { ts } = JSON.parse(data) as { ts: number };
    samples.push(Date.now() - ts);
    if (TRACE) trace.push([Date.now(), Date.now() - ts]);
  });
}

process.once('message', (job: ListenerJob) => {
  void (async () => {
    const ctrl = new AbortController();
    const samples: number[] = [];
    try {
      for (let i = 0; i < job.roomIds.length; i += 50)
        await Promise.all(job.roomIds.slice(i, i + 50).map((r) => listen(job, r, samples, ctrl.signal)));
      report({ type: 'ready' });
      // Second message: stop and report what was measured since the first publish.
      await new Promise<void>((resolve) => process.once('message', () => resolve()));
      ctrl.abort();
      if (TRACE) writeFileSync(TRACE, JSON.stringify(trace));
      report({ type: 'latencies', samples, events: samples.length });
    } catch (err) {
      report({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  })();
});
