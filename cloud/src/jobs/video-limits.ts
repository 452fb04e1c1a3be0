import { execFile } from 'node:child_process';

/**
 * What ffprobe says about an upload before it is queued. Reading the header costs milliseconds; the
 * analysis costs minutes of CPU per hour of video whatever the file size (a few hundred KB can hold an
 * hour at a low frame rate), so the length is checked here, before a job exists.
 */
export type UploadProbe =
  /** `durationS` is null when the file declares no length (a browser-recorded webm, a stream dump). */
  | { kind: 'video'; durationS: number | null }
  /** ffprobe ran and could not find a video in it; `reason` (ffprobe's words) is for the log only. */
  | { kind: 'unreadable'; reason: string }
  /** No ffprobe on this machine. */
  | { kind: 'no-ffprobe' };

interface ProbeJson {
  streams?: { width?: number; height?: number; duration?: string }[];
  format?: { duration?: string };
}

/**
 * Runs ffprobe on the stored upload. The declared length is the longer of the container's and the video
 * stream's. A file may still lie; the analysis stops at the limit on its own (`maxDurationS`).
 */
export function probeUpload(path: string, timeoutMs = 15_000): Promise<UploadProbe> {
  const args = [
    ...['-v', 'error', '-select_streams', 'v:0'],
    ...['-show_entries', 'stream=width,height,duration:format=duration', '-of', 'json', path],
  ];
  return new Promise((resolve) => {
    execFile('ffprobe', args, { timeout: timeoutMs, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return resolve({ kind: 'no-ffprobe' });
        const reason = err.killed
          ? `ffprobe gave no answer within ${timeoutMs / 1000} s`
          : stderr.trim().split('\n').at(-1) || err.message;
        return resolve({ kind: 'unreadable', reason });
      }
      let json: ProbeJson;
      try {
        json = JSON.parse(stdout) as ProbeJson;
      } catch {
        return resolve({ kind: 'unreadable', reason: 'ffprobe gave no usable answer' });
      }
      const s = json.streams?.[0];
      if (!s?.width || !s.height) return resolve({ kind: 'unreadable', reason: 'no video stream' });
      const declared = [s.duration, json.format?.duration].map(Number).filter((d) => Number.isFinite(d) && d > 0);
      resolve({ kind: 'video', durationS: declared.length ? Math.max(...declared) : null });
    });
  });
}

/**
 * Container durations are rounded, and resampling may add a frame at the end: a recording of exactly the
 * limit may read a fraction of a second over. Both checks allow this much.
 */
export const SLACK_S = 1;

export function isTooLong(durationS: number, maxMinutes: number): boolean {
  return durationS > maxMinutes * 60 + SLACK_S;
}

export function tooLongMessage(durationS: number, maxMinutes: number): string {
  const minutes = Math.max(maxMinutes + 1, Math.ceil(durationS / 60));
  return (
    `This video is ${minutes} min long; uploads are limited to ${maxMinutes} min (LECTERN_UPLOAD_MAX_MINUTES). ` +
    `Cut it into parts of at most ${maxMinutes} min and upload them one by one, or ask an administrator to raise the limit.`
  );
}

export function unreadableMessage(filename: string): string {
  return (
    `"${filename}" could not be read as a video: it may be damaged, incomplete or not a video at all. ` +
    'Check that it plays on your computer, export it again (MP4 with H.264 is safest) and upload it again.'
  );
}

export const NO_FFPROBE_MESSAGE =
  'Video analysis is not available on this server: ffprobe (part of ffmpeg) is not installed, and without it ' +
  'the length of an upload cannot be checked nor the video analysed. Ask an administrator to install ffmpeg ' +
  '(e.g. apt-get install ffmpeg).';

/** Why a job stopped at the limit although the file's header said it was shorter (or said nothing). */
export function stoppedAtLimitMessage(maxMinutes: number): string {
  return (
    `This video runs longer than the ${maxMinutes} min upload limit (LECTERN_UPLOAD_MAX_MINUTES), although ` +
    `its file did not say so; the analysis stopped at ${maxMinutes} min and kept nothing. ` +
    `Cut it into parts of at most ${maxMinutes} min and upload them one by one.`
  );
}
