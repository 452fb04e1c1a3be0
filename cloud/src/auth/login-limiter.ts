import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { CLOUD_CONFIG } from '../config/config.tokens';
import type { CloudConfig } from '../config/cloud-config';

const WINDOW_MS = 60_000;

/**
 * Failed logins per client address in a sliding minute. Only failures count, so a dashboard that
 * logs in often is never locked out while password guessing is capped.
 */
@Injectable()
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(@Inject(CLOUD_CONFIG) private readonly config: CloudConfig) {}

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < WINDOW_MS);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  assertAllowed(key: string, now = Date.now()): void {
    const list = this.recent(key, now);
    if (list.length >= this.config.loginFailuresPerMinute) {
      const retryS = Math.ceil((WINDOW_MS - (now - list[0]!)) / 1000);
      throw new HttpException(`too many failed logins; try again in ${retryS} s`, HttpStatus.TOO_MANY_REQUESTS);
    }
  }

  failed(key: string, now = Date.now()): void {
    const list = this.recent(key, now);
    list.push(now);
    this.failures.set(key, list);
  }
}
