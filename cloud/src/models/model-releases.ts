import { ARTIFACTS_DIR, emotionModelId, loadManifest } from '@lectern/vision';
import { join } from 'node:path';

export type ReleaseName = 'current' | 'previous';

/** An emotion model file devices can install over the air (`model-update`), as the cloud offers it. */
export interface ModelRelease {
  release: ReleaseName;
  /** What the device reports after installing it, e.g. `lectern-emotion-int8@0.2.0`. */
  modelId: string;
  version: string;
  file: string;
  sha256: string;
  bytes: number;
  /** FER2013 PublicTest accuracy (int8), and by face size in px (see models/README.md). */
  publicTestAccuracy: number;
  accuracyByFacePx: Record<string, number>;
}

/**
 * The int8 emotion models bundled with the cloud's @lectern/vision: the current release and the one kept
 * for rollback. Read from the same manifest the agents' bundled model comes from, so the ids match.
 */
export function bundledReleases(): ModelRelease[] {
  const m = loadManifest();
  const out: ModelRelease[] = [
    {
      release: 'current',
      modelId: emotionModelId(m.name, 'int8', m.version),
      version: m.version,
      file: m.variants.int8.file,
      sha256: m.variants.int8.sha256,
      bytes: m.variants.int8.bytes,
      publicTestAccuracy: m.variants.int8.publicTestAccuracy,
      accuracyByFacePx: m.accuracyByFacePx,
    },
  ];
  if (m.previous) {
    out.push({
      release: 'previous',
      modelId: emotionModelId(m.name, 'int8', m.previous.version),
      version: m.previous.version,
      file: m.previous.file,
      sha256: m.previous.sha256,
      bytes: m.previous.bytes,
      publicTestAccuracy: m.previous.publicTestAccuracy,
      accuracyByFacePx: m.previous.accuracyByFacePx,
    });
  }
  return out;
}

/** The file of a release on disk, or null for anything that is not one (no paths from requests reach disk). */
export function releaseFilePath(file: string): string | null {
  const release = bundledReleases().find((r) => r.file === file);
  return release ? join(ARTIFACTS_DIR, release.file) : null;
}
