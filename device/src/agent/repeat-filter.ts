/**
 * Keeps a months-long broker outage from filling the journal: the first occurrence of a message is logged,
 * repeats of the same message are counted and summarised at most once per `everyMs`.
 */
export class RepeatFilter {
  private last = '';
  private repeats = 0;
  private lastLoggedAt = 0;

  constructor(
    private readonly log: (msg: string) => void,
    private readonly everyMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  report(msg: string): void {
    const t = this.now();
    if (msg !== this.last) {
      this.flush();
      this.last = msg;
      this.lastLoggedAt = t;
      this.log(msg);
      return;
    }
    this.repeats++;
    if (t - this.lastLoggedAt >= this.everyMs) this.flush();
  }

  private flush(): void {
    if (this.repeats > 0) this.log(`${this.last} (repeated ${this.repeats} more times)`);
    this.repeats = 0;
    this.lastLoggedAt = this.now();
  }
}
