import { describe, expect, it } from 'vitest';
import { RepeatFilter } from '../src/agent/repeat-filter';

describe('RepeatFilter', () => {
  it('logs a new message at once and summarises its repeats at most once per period', () => {
    const lines: string[] = [];
    let now = 0;
    const f = new RepeatFilter(
      (m) => lines.push(m),
      60_000,
      () => now,
    );
    for (let i = 0; i < 100; i++) {
      f.report('mqtt: connect ECONNREFUSED');
      now += 2000;
    }
    expect(lines).toEqual([
      'mqtt: connect ECONNREFUSED',
      'mqtt: connect ECONNREFUSED (repeated 30 more times)',
      'mqtt: connect ECONNREFUSED (repeated 30 more times)',
      'mqtt: connect ECONNREFUSED (repeated 30 more times)',
    ]);
    f.report('mqtt: Connection refused: Not authorized');
    expect(lines.slice(-2)).toEqual([
      'mqtt: connect ECONNREFUSED (repeated 9 more times)',
      'mqtt: Connection refused: Not authorized',
    ]);
  });
});
