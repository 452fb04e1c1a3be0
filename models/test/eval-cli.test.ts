import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { renderConfusionPng } from '../src/eval/confusion-png';
import { ConfusionMatrix } from '../src/eval/metrics';
import { runCli } from './cli';
import { HAVE_FER, PUBLIC_TEST_CSV } from './helpers';

const tmp = mkdtempSync(join(tmpdir(), 'lectern-eval-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface EvalJson {
  accuracy: number;
  rows: number;
  tta: string;
  perClass: { label: string; support: number; precision: number; recall: number; f1: number }[];
  confusion: number[][];
  invalidRows: { row: number; reason: string }[];
}

describe('metrics', () => {
  it('computes accuracy, per-class precision/recall/F1 and the confusion matrix', () => {
    const m = new ConfusionMatrix();
    [
      [3, 3],
      [3, 3],
      [3, 6],
      [6, 6],
      [0, 3],
    ].forEach(([t, p]) => m.add(t ?? 0, p ?? 0));
    const r = m.metrics();
    expect(r.accuracy).toBeCloseTo(3 / 5);
    const happy = r.perClass[3];
    expect(happy?.precision).toBeCloseTo(2 / 3);
    expect(happy?.recall).toBeCloseTo(2 / 3);
    expect(r.perClass[6]?.precision).toBeCloseTo(1 / 2);
    expect(r.confusion[3]).toEqual([0, 0, 0, 2, 0, 0, 1]);
  });

  it('draws a PNG heat map whose diagonal is darker for better recall', () => {
    const confusion = Array.from({ length: 7 }, (_, i) =>
      Array.from({ length: 7 }, (_, j) => (i === j ? 90 : i === 0 ? 50 : 1)),
    );
    const png = PNG.sync.read(renderConfusionPng(confusion, 'test'));
    expect(png.width).toBeGreaterThan(400);
    // Sample a cell corner (no text): row 1 diagonal vs row 1 off-diagonal.
    const pixel = (x: number, y: number): number => png.data[(y * png.width + x) * 4] ?? 0;
    expect(pixel(120 + 64 + 3, 70 + 64 + 3)).toBeLessThan(pixel(120 + 2 * 64 + 3, 70 + 64 + 3));
  });
});

describe.skipIf(!HAVE_FER)('lectern-models eval', () => {
  it('reports JSON metrics, writes a PNG and lists malformed rows by number', () => {
    const lines = readFileSync(PUBLIC_TEST_CSV, 'utf8').split('\n').slice(0, 151);
    lines.splice(5, 0, '8,1 2 3,PublicTest'); // becomes line 6 of the file
    const csv = join(tmp, 'subset.csv');
    writeFileSync(csv, `${lines.join('\n')}\n`);
    const png = join(tmp, 'confusion.png');
    const r = runCli(['eval', '--model', 'int8', '--csv', csv, '--json', '--tta', 'flip', '--png', png]);
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as EvalJson;
    expect(json.rows).toBe(150);
    expect(json.tta).toBe('flip');
    expect(json.accuracy).toBeGreaterThan(0.5);
    expect(json.accuracy).toBeLessThanOrEqual(1);
    expect(json.perClass.map((c) => c.label)).toContain('disgust');
    expect(json.confusion.flat().reduce((a, b) => a + b, 0)).toBe(150);
    expect(json.invalidRows).toEqual([{ row: 6, reason: 'label "8" is not an integer in 0..6' }]);
    expect(r.stderr).toContain('skipped row 6');
    expect(PNG.sync.read(readFileSync(png)).height).toBeGreaterThan(400);
  });

  it('fails clearly on a missing file or a bad option', () => {
    const missing = runCli(['eval', '--csv', join(tmp, 'nope.csv')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/CSV not found/);
    const badTta = runCli(['eval', '--csv', PUBLIC_TEST_CSV, '--tta', 'rotate']);
    expect(badTta.stderr).toMatch(/--tta must be none or flip/);
  });
});
