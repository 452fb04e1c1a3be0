/** FER2013 class order: every probability vector in the protocol uses it. */
export const EMOTIONS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;
export type Emotion = (typeof EMOTIONS)[number];
export const EMOTION_COUNT = EMOTIONS.length;

/**
 * Valence weight per class (pleasant +1 .. unpleasant -1), after the valence axis of Russell's circumplex
 * model; surprise is mildly positive in a lecture (interest), neutral is 0. See docs/metrics.md.
 */
export const VALENCE_WEIGHTS: Readonly<Record<Emotion, number>> = {
  angry: -0.8,
  disgust: -0.9,
  fear: -0.7,
  happy: 1,
  sad: -0.8,
  surprise: 0.3,
  neutral: 0,
};
