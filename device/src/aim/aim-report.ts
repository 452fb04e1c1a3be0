import { faceSizeBinLabel } from '@lectern/protocol';
import type { FaceSizeSummary } from '@lectern/vision';
import type { AgentConfig } from '../config/agent-config';

/** Warn when more than this share of the faces seen is too small to read. */
export const TOO_SMALL_WARNING_SHARE = 0.5;

export interface AimReport extends FaceSizeSummary {
  /** One entry per FACE_SIZE_BINS_PX bin, for people: "16-20 px". */
  labels: string[];
  /** tooSmall / total; 0 when no face was seen. */
  shareTooSmall: number;
  /** Most faces are too small (> TOO_SMALL_WARNING_SHARE), or none was seen. */
  warning: string | null;
  /** What to change, most effective first; empty when there is nothing to warn about. */
  advice: string[];
}

/** The parts of the agent config the advice depends on. */
export type AimSettings = Pick<AgentConfig, 'detector' | 'frameWidth' | 'source'> & {
  detection: Pick<AgentConfig['detection'], 'downscale' | 'upscale'>;
};

/** Reads a face-size summary for an installer: is the camera aimed so the faces can be read, and if not, what helps. */
export function aimReport(summary: FaceSizeSummary, settings: AimSettings): AimReport {
  const labels = summary.counts.map((_, bin) => faceSizeBinLabel(bin));
  const shareTooSmall = summary.total > 0 ? summary.tooSmall / summary.total : 0;
  let warning: string | null = null;
  if (summary.total === 0)
    warning = 'no faces detected: check that the camera sees the audience (the preview shows what it sees)';
  else if (shareTooSmall > TOO_SMALL_WARNING_SHARE)
    warning = `most faces (${pct(shareTooSmall)}) are smaller than ${summary.minReadablePx} px: their emotions cannot be read, they are only counted`;
  return { ...summary, labels, shareTooSmall, warning, advice: warning ? adviceFor(settings) : [] };
}

function adviceFor(s: AimSettings): string[] {
  const advice = [
    'use a longer lens or zoom in (optical zoom on a PTZ camera) so the listeners fill more of the frame',
    'mount the camera closer to the audience, or lower, facing the rows instead of looking down on them',
  ];
  const where =
    s.source.type === 'v4l2'
      ? 'source.width / source.height'
      : s.source.type === 'file'
        ? 'record at a higher resolution'
        : "the camera's stream profile";
  const resolution = `use a higher camera resolution (${where}, e.g. 1920 x 1080)`;
  advice.push(
    s.frameWidth
      ? `${resolution}, and remove or raise frameWidth (now ${s.frameWidth} px): it shrinks every frame before faces are measured and read`
      : resolution,
  );
  // These two help the detector find small faces (so they are counted and measured here); they add no
  // pixels to a face, so only the three above make faces readable.
  if (s.detection.downscale < 1)
    advice.push(
      `detect at full resolution: detection.downscale: 1 (now ${s.detection.downscale}); a downscaled pass misses small faces, so they are not even counted`,
    );
  if (s.detector === 'yunet' && s.detection.upscale < 2)
    advice.push(
      'detection.upscale: 2 lets YuNet find faces under ~18 px (about 4x the detection cost): they are then counted, though still too small to read',
    );
  return advice;
}

const pct = (x: number): string => `${Math.round(x * 100)} %`;

/** The report as text: a bar per size bin, the share too small, then the warning and advice if any. */
export function formatAimReport(r: AimReport): string {
  const widest = Math.max(1, ...r.counts);
  const rows = r.counts.map((n, bin) => {
    const bar = '#'.repeat(Math.round((n / widest) * 40));
    const share = r.total > 0 ? pct(n / r.total) : '-';
    return `${r.labels[bin]!.padStart(10)} ${String(n).padStart(6)} ${share.padStart(5)}  ${bar}`.trimEnd();
  });
  const lines = [
    `face sizes (detector box's longer side), ${r.total} faces:`,
    ...rows,
    r.total > 0
      ? `${r.tooSmall} of ${r.total} faces (${pct(r.shareTooSmall)}) are below the readable size of ${r.minReadablePx} px`
      : `readable size: ${r.minReadablePx} px`,
  ];
  if (r.warning) lines.push('', `WARNING: ${r.warning}`, ...r.advice.map((a) => `  - ${a}`));
  return lines.join('\n');
}
