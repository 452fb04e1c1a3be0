import { REPORT_COLORS } from '../../src/reports/report-format';
/** FER2013 class order, identical to EMOTIONS in @lectern/protocol: every number[7] from the API uses it. */
export const EMOTIONS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;
export type Emotion = (typeof EMOTIONS)[number];

/**
 * One colour per emotion everywhere (Okabe-Ito palette: distinguishable with the common colour-vision
 * deficiencies); labels always accompany colours so colour is never the only cue.
 */
export const EMOTION_COLORS: Record<Emotion, string> = REPORT_COLORS.emotions;

export const EMOTION_LABELS: Record<Emotion, string> = {
  angry: 'Angry',
  disgust: 'Disgust',
  fear: 'Fear',
  happy: 'Happy',
  sad: 'Sad',
  surprise: 'Surprise',
  neutral: 'Neutral',
};

export function isEmotion(value: unknown): value is Emotion {
  return typeof value === 'string' && (EMOTIONS as readonly string[]).includes(value);
}

export function colorOf(emotion: string | null | undefined): string {
  return isEmotion(emotion) ? EMOTION_COLORS[emotion] : '#4B5563';
}

export function labelOf(emotion: string | null | undefined): string {
  return isEmotion(emotion) ? EMOTION_LABELS[emotion] : '—';
}

/** Index of the largest probability, as an emotion name. */
export function dominantOf(p: readonly number[] | null | undefined): Emotion | null {
  if (!p || p.length !== EMOTIONS.length) return null;
  let best = 0;
  for (let i = 1; i < p.length; i++) if ((p[i] ?? 0) > (p[best] ?? 0)) best = i;
  return EMOTIONS[best] ?? null;
}
