import { describe, expect, it } from 'vitest';
import { minGroupText } from '../src/pages/upload-limits';

describe('upload page: the minimum group size, stated before an upload', () => {
  it('names K and what a clip with fewer faces gets', () => {
    expect(minGroupText(3)).toBe(
      'Minimum group size: 3. Emotion figures appear only where at least 3 faces were read at the same time, to ' +
        'protect individuals: a video showing only one or two faces at a time gets face counts and when faces were ' +
        'visible, but no emotions.',
    );
    expect(minGroupText(5)).toMatch(/showing only up to 4 faces at a time/);
    expect(minGroupText(2)).toMatch(/showing one face at a time/);
    expect(minGroupText(1)).toBe(
      'Minimum group size: 1. Emotion figures appear only where at least 1 face was read at the same time, to protect individuals.',
    );
  });
});
