import { EMOTION_COLORS, EMOTION_LABELS, EMOTIONS } from '../emotions';
import { percent } from '../format';

/** A single stacked bar of the 7 probabilities (per-listener tiles, tables, room cards). */
export function EmotionBar({
  p,
  height = 10,
  label,
}: {
  p: readonly number[] | null;
  height?: number;
  label?: string;
}) {
  const total = p ? p.reduce((a, b) => a + b, 0) : 0;
  const describe = p ? EMOTIONS.map((e, i) => `${EMOTION_LABELS[e]} ${percent(p[i])}`).join(', ') : 'no data';
  return (
    <div
      class="ebar"
      style={{ height: `${height}px` }}
      role="img"
      aria-label={`${label ?? 'Emotions'}: ${describe}`}
      title={describe}
    >
      {p &&
        total > 0 &&
        EMOTIONS.map((e, i) => {
          const share = (p[i] ?? 0) / total;
          return share > 0.004 ? (
            <span key={e} style={{ width: `${share * 100}%`, background: EMOTION_COLORS[e] }} />
          ) : null;
        })}
    </div>
  );
}

/** The 7 percentages as text, in FER2013 order, each with its colour swatch. */
export function EmotionLegend({
  distribution,
  testIdPrefix,
}: {
  distribution: readonly number[] | null;
  testIdPrefix?: string;
}) {
  return (
    <ul class="legend">
      {EMOTIONS.map((e, i) => (
        <li key={e}>
          <span class="swatch" style={{ background: EMOTION_COLORS[e] }} aria-hidden="true" />
          <span class="legend-label">{EMOTION_LABELS[e]}</span>
          <span class="legend-value" data-testid={testIdPrefix ? `${testIdPrefix}${e}` : undefined}>
            {percent(distribution?.[i] ?? null)}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function EmotionChip({ emotion, large = false }: { emotion: string | null; large?: boolean }) {
  const known =
    emotion && (EMOTIONS as readonly string[]).includes(emotion) ? (emotion as keyof typeof EMOTION_COLORS) : null;
  return (
    <span class={`chip ${large ? 'chip-large' : ''}`}>
      <span class="swatch" style={{ background: known ? EMOTION_COLORS[known] : '#4B5563' }} aria-hidden="true" />
      {known ? EMOTION_LABELS[known] : '—'}
    </span>
  );
}
