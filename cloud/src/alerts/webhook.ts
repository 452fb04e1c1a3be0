import { Logger } from '@nestjs/common';

export interface WebhookOptions {
  /** Attempts per message before it is dropped (logged). */
  maxAttempts: number;
  /** First retry delay; doubled per attempt up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
  /** Messages waiting beyond this drop the oldest (logged). */
  maxQueue: number;
}

const DEFAULTS: WebhookOptions = {
  maxAttempts: 8,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  timeoutMs: 5000,
  maxQueue: 1000,
};

/**
 * POSTs JSON to the alert webhook in the background, one message at a time so a receiver sees a fire before
 * its resolve; failures (network, timeout, non-2xx) are retried with exponential backoff. `send` never
 * waits and never throws, so neither ingestion nor the evaluator is held up by a slow receiver.
 */
export class WebhookSender {
  private readonly logger = new Logger('AlertWebhook');
  private readonly queue: { body: string; attempts: number }[] = [];
  private readonly opts: WebhookOptions;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private stopped = false;
  /** Deliveries that got a 2xx answer, and messages given up on (for tests and the health page). */
  delivered = 0;
  dropped = 0;

  constructor(
    readonly url: string | null,
    opts: Partial<WebhookOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  send(payload: unknown): void {
    if (!this.url || this.stopped) return;
    if (this.queue.length >= this.opts.maxQueue) {
      this.queue.shift();
      this.dropped++;
      this.logger.warn(`alert webhook queue full (${this.opts.maxQueue}): dropped the oldest message`);
    }
    this.queue.push({ body: JSON.stringify(payload), attempts: 0 });
    this.pump();
  }

  get pending(): number {
    return this.queue.length;
  }

  private pump(): void {
    if (this.inFlight || this.timer || this.stopped || this.queue.length === 0) return;
    this.inFlight = this.deliverHead().finally(() => {
      this.inFlight = null;
      this.pump();
    });
  }

  private async deliverHead(): Promise<void> {
    const head = this.queue[0];
    if (!head || !this.url) return;
    head.attempts++;
    let problem: string | null = null;
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'lectern-cloud-alerts' },
        body: head.body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) problem = `HTTP ${res.status}`;
    } catch (err) {
      problem = (err as Error).message;
    }
    if (problem === null) {
      this.queue.shift();
      this.delivered++;
      return;
    }
    if (head.attempts >= this.opts.maxAttempts) {
      this.queue.shift();
      this.dropped++;
      this.logger.error(
        `alert webhook ${this.url} failed ${head.attempts} times (${problem}); message dropped. Check LECTERN_ALERT_WEBHOOK_URL and the receiver.`,
      );
      return;
    }
    const delay = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** (head.attempts - 1));
    this.logger.warn(`alert webhook failed (${problem}); retry ${head.attempts + 1} in ${delay} ms`);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, delay);
    this.timer.unref();
  }

  /** Stops retrying; waits for a delivery in flight. Messages still queued are logged as not sent. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
    if (this.queue.length > 0) this.logger.warn(`${this.queue.length} alert webhook messages not sent at shutdown`);
  }
}
