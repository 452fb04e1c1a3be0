import { readFileSync } from 'node:fs';

/** Process CPU use since the previous call, in percent of one core. */
export class CpuMeter {
  private last = process.cpuUsage();
  private lastAt = performance.now();

  sample(): number {
    const now = performance.now();
    const usage = process.cpuUsage(this.last);
    const elapsedUs = (now - this.lastAt) * 1000;
    this.last = process.cpuUsage();
    this.lastAt = now;
    return elapsedUs > 0 ? ((usage.user + usage.system) / elapsedUs) * 100 : 0;
  }
}

/** SoC temperature from the first thermal zone (Raspberry Pi, Jetson); null where there is none. */
export function socTemperatureC(): number | null {
  try {
    const milli = Number(readFileSync('/sys/class/thermal/thermal_zone0/temp', 'utf8').trim());
    return Number.isFinite(milli) && milli > -50_000 && milli < 150_000 ? milli / 1000 : null;
  } catch {
    return null;
  }
}

/** Exponential moving average of a rate or duration. */
export class Ema {
  value = 0;
  private primed = false;

  constructor(private readonly alpha = 0.2) {}

  add(x: number): void {
    this.value = this.primed ? this.alpha * x + (1 - this.alpha) * this.value : x;
    this.primed = true;
  }
}
