/**
 * What the minimum group size K lets leave the server for a group of `faces` of which `read` were read
 * (`readFacesOf`). Counts always leave. Attention is a share of everyone seen, so it needs K faces. Emotion
 * figures (distribution, valence, per-listener tracks) describe the read faces alone, so they need K read
 * faces: K listeners of whom two are read would otherwise show those two.
 */
export function shownAtMinGroup(
  faces: number,
  read: number,
  minGroupSize: number,
): { attention: boolean; emotion: boolean } {
  return { attention: faces >= minGroupSize, emotion: read >= minGroupSize };
}
