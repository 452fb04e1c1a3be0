import { Logger, type INestApplication } from '@nestjs/common';
import { AggregationService } from './aggregation/aggregation.service';
import { AlertsService } from './alerts/alerts.service';
import { JobsService } from './jobs/jobs.service';
import { RetentionService } from './ops/retention.service';
import { SessionsService } from './sessions/sessions.service';

/** Periodic work; each task is isolated so one failure does not stop the others. Returns a stop function. */
export async function startBackgroundJobs(app: INestApplication): Promise<() => Promise<void>> {
  const logger = new Logger('Background');
  const aggregation = app.get(AggregationService);
  const sessions = app.get(SessionsService);
  const retention = app.get(RetentionService);
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<unknown>>();
  const every = (ms: number, name: string, task: () => Promise<unknown>): void => {
    let busy = false;
    timers.push(
      setInterval(() => {
        if (busy) return;
        busy = true;
        const p = task()
          .catch((err: unknown) => logger.error(`${name} failed: ${(err as Error).message}`))
          .finally(() => {
            busy = false;
            running.delete(p);
          });
        running.add(p);
      }, ms),
    );
  };
  every(1000, 'aggregation', () => aggregation.tick());
  every(5000, 'auto sessions', () => sessions.tick());
  every(3_600_000, 'retention', () => retention.purge());
  const alerts = app.get(AlertsService);
  await alerts.start();
  every(alerts.evalIntervalMs, 'alerts', () => alerts.evaluate());
  every(3_600_000, 'health retention', () => alerts.purge());
  await retention.purge().catch((err: unknown) => logger.error(`retention failed: ${(err as Error).message}`));
  const jobs = app.get(JobsService);
  await jobs.start();
  return async () => {
    await jobs.stop();
    for (const t of timers) clearInterval(t);
    await Promise.allSettled([...running]);
    await alerts.stop();
    await aggregation.flushAll();
  };
}
