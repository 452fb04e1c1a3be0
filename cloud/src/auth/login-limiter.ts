import { Inject, Injectable } from '@nestjs/common';
import { CLOUD_CONFIG } from '../config/config.tokens';
import type { CloudConfig } from '../config/cloud-config';

export const LOGIN_WINDOW_MS = 60_000;

/** A login refused before its password was checked; `retryAfterS` goes into Retry-After. */
export class LoginRefused extends Error {
  constructor(readonly retryAfterS: number) {
    super(`too many failed logins; try again in ${retryAfterS} s`);
  }
}

/** The reserved right to check one password; exactly one of the three must be called. */
export interface LoginSlot {
  /** Right password: the reservation is given back and this address's earlier misses on the account are forgiven. */
  succeeded(): void;
  /** Wrong password (or unknown user): the reservation stays as a failure for the rest of the window. */
  failed(): void;
  /** The check could not be made (database down): the reservation is given back, nothing is counted. */
  released(): void;
}

interface Mark {
  at: number;
}

/**
 * Login throttling, keyed by account and client address (issue 12 part 4).
 *
 * Every password check is reserved *synchronously*, before the async bcrypt compare, and the reservation
 * counts as a failure until the check says otherwise. So N concurrent wrong logins can never start more
 * checks than the limits allow: there is no check-then-act gap for them to race through.
 *
 * Two sliding one-minute windows, both counting wrong-or-pending checks (a right password gives its
 * reservation back):
 * - per (account, address), `loginFailuresPerMinute` (default 10): one client guessing one account gets
 *   that many checks a minute, then 429 without a check. This is the only key that can lock a client out of
 *   an account completely, and it includes the address: a lockout from one address never stops the right
 *   password from another one.
 * - per account, all addresses, `loginAccountFailuresPerMinute` (default 50): beyond that the account is
 *   "under attack" and an address only gets a check while it has no wrong or pending check on this account
 *   in the window. A user on a fresh address still gets their (right) password checked; a distributed
 *   guesser gets one guess per address per minute instead of ten, and a single address can never run two
 *   concurrent checks.
 *
 * There is deliberately no per-address lockout across accounts: behind a NAT, Docker's port forwarding or
 * an untrusted proxy every user shares one address, and such a lockout would let one bad client (or one
 * user's typos) lock everybody out. Password spraying from one address (one guess at each of many accounts)
 * is therefore bounded per account only; bcrypt's cost and the minimum password length carry the rest.
 * Which address a request has is Express's `req.ip`: the TCP peer unless LECTERN_TRUST_PROXY names the
 * proxies whose X-Forwarded-For may be believed.
 *
 * State is in memory, per process (one cloud instance per database is the supported setup), and pruned as
 * windows pass, so it holds at most about a minute of attempts.
 */
@Injectable()
export class LoginLimiter {
  private readonly pairs = new Map<string, Mark[]>();
  private readonly accounts = new Map<string, Mark[]>();
  private lastSweep = 0;
  /** Logins refused without a password check since boot. */
  refused = 0;

  constructor(@Inject(CLOUD_CONFIG) private readonly config: CloudConfig) {}

  /**
   * Reserves one password check for `account` from `address`, or throws LoginRefused. Synchronous on
   * purpose: the decision and the reservation happen in one turn of the event loop.
   */
  reserve(account: string, address: string, now = Date.now()): LoginSlot {
    this.sweep(now);
    const pairKey = `${account}\u0000${address}`;
    const pair = this.live(this.pairs, pairKey, now);
    const acct = this.live(this.accounts, account, now);
    if (pair.length >= this.config.loginFailuresPerMinute) throw this.refuse(pair, now);
    if (acct.length >= this.config.loginAccountFailuresPerMinute && pair.length > 0) throw this.refuse(pair, now);
    const mark: Mark = { at: now };
    pair.push(mark);
    acct.push(mark);
    this.pairs.set(pairKey, pair);
    this.accounts.set(account, acct);
    let done = false;
    const giveBack = (forgive: boolean): void => {
      remove(this.accounts, account, mark);
      if (forgive) this.pairs.delete(pairKey);
      else remove(this.pairs, pairKey, mark);
    };
    return {
      succeeded: () => {
        if (done) return;
        done = true;
        giveBack(true);
      },
      failed: () => {
        done = true;
      },
      released: () => {
        if (done) return;
        done = true;
        giveBack(false);
      },
    };
  }

  private refuse(pair: Mark[], now: number): LoginRefused {
    this.refused++;
    const oldest = pair[0]?.at ?? now;
    return new LoginRefused(Math.max(1, Math.ceil((LOGIN_WINDOW_MS - (now - oldest)) / 1000)));
  }

  private live(map: Map<string, Mark[]>, key: string, now: number): Mark[] {
    const list = (map.get(key) ?? []).filter((m) => now - m.at < LOGIN_WINDOW_MS);
    if (list.length) map.set(key, list);
    else map.delete(key);
    return list;
  }

  /** Drops expired windows of keys nobody touched again (attacks with many usernames or addresses). */
  private sweep(now: number): void {
    if (now - this.lastSweep < LOGIN_WINDOW_MS) return;
    this.lastSweep = now;
    for (const map of [this.pairs, this.accounts]) {
      for (const [key, list] of map) {
        const kept = list.filter((m) => now - m.at < LOGIN_WINDOW_MS);
        if (kept.length) map.set(key, kept);
        else map.delete(key);
      }
    }
  }
}

function remove(map: Map<string, Mark[]>, key: string, mark: Mark): void {
  const list = map.get(key);
  if (!list) return;
  const i = list.indexOf(mark);
  if (i >= 0) list.splice(i, 1);
  if (!list.length) map.delete(key);
}
