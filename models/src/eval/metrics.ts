import { LABELS, NUM_CLASSES } from '@lectern/vision';

export interface ClassMetrics {
  label: string;
  support: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface EvaluationMetrics {
  rows: number;
  accuracy: number;
  macroF1: number;
  perClass: ClassMetrics[];
  /** confusion[truth][predicted], counts. */
  confusion: number[][];
}

export class ConfusionMatrix {
  readonly counts: number[][] = Array.from({ length: NUM_CLASSES }, () => new Array<number>(NUM_CLASSES).fill(0));

  add(truth: number, predicted: number): void {
    const row = this.counts[truth];
    if (!row || predicted < 0 || predicted >= NUM_CLASSES)
      throw new Error(`class out of range: ${truth} -> ${predicted}`);
    row[predicted] = (row[predicted] ?? 0) + 1;
  }

  metrics(): EvaluationMetrics {
    const c = this.counts;
    const rows = c.reduce((s, r) => s + r.reduce((a, b) => a + b, 0), 0);
    let correct = 0;
    const perClass = LABELS.map((label, k) => {
      const tp = c[k]?.[k] ?? 0;
      correct += tp;
      const support = (c[k] ?? []).reduce((a, b) => a + b, 0);
      const predicted = c.reduce((s, r) => s + (r[k] ?? 0), 0);
      const precision = predicted === 0 ? 0 : tp / predicted;
      const recall = support === 0 ? 0 : tp / support;
      const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
      return { label, support, precision, recall, f1 };
    });
    return {
      rows,
      accuracy: rows === 0 ? 0 : correct / rows,
      macroF1: perClass.reduce((s, m) => s + m.f1, 0) / NUM_CLASSES,
      perClass,
      confusion: c.map((r) => [...r]),
    };
  }
}

export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if ((v[i] ?? -Infinity) > (v[best] ?? -Infinity)) best = i;
  return best;
}

/** Plain-text report: accuracy, per-class table, confusion matrix. */
export function formatMetrics(m: EvaluationMetrics): string {
  const pct = (x: number): string => (100 * x).toFixed(1).padStart(6);
  const lines = [
    `rows ${m.rows}  accuracy ${(100 * m.accuracy).toFixed(2)} %  macro-F1 ${(100 * m.macroF1).toFixed(2)} %`,
    '',
    'class      support  precision  recall      F1',
    ...m.perClass.map(
      (c) =>
        `${c.label.padEnd(9)} ${String(c.support).padStart(8)}     ${pct(c.precision)}  ${pct(c.recall)}  ${pct(c.f1)}`,
    ),
    '',
    'confusion (rows = truth, columns = predicted)',
    `${''.padEnd(9)} ${LABELS.map((l) => l.slice(0, 7).padStart(8)).join('')}`,
    ...m.confusion.map((r, i) => `${(LABELS[i] ?? '').padEnd(9)} ${r.map((v) => String(v).padStart(8)).join('')}`),
  ];
  return lines.join('\n');
}

/** One line per face size: accuracy, macro-F1 and recall of every class, in percent. */
export function formatFaceSizeTable(bySize: readonly (EvaluationMetrics & { facePx: number })[]): string {
  const pct = (x: number): string => (100 * x).toFixed(1).padStart(8);
  return [
    `face px  accuracy  macro-F1   recall % ${LABELS.map((l) => l.slice(0, 7).padStart(8)).join('')}`,
    ...bySize.map(
      (m) =>
        `${String(m.facePx).padStart(7)}  ${pct(m.accuracy)}  ${pct(m.macroF1)}  ${''.padEnd(8)} ${m.perClass.map((c) => pct(c.recall)).join('')}`,
    ),
  ].join('\n');
}
