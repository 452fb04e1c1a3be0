import { execFile } from 'node:child_process';

export interface VideoInfo {
  width: number;
  height: number;
  fps: number;
  durationS: number;
  frames: number;
  codec: string;
}

interface ProbeJson {
  streams?: {
    codec_name?: string;
    width?: number;
    height?: number;
    r_frame_rate?: string;
    avg_frame_rate?: string;
    nb_frames?: string;
    duration?: string;
  }[];
  format?: { duration?: string; format_name?: string };
}

/** Reads the first video stream's geometry; rejects with a readable reason on anything ffmpeg cannot decode. */
export function probeVideo(
  input: string,
  inputArgs: string[] = [],
  timeoutMs = 15_000,
  signal?: AbortSignal,
): Promise<VideoInfo> {
  const args = [
    '-v',
    'error',
    ...inputArgs,
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=codec_name,width,height,r_frame_rate,avg_frame_rate,nb_frames,duration:format=duration,format_name',
    '-of',
    'json',
    input,
  ];
  return new Promise((resolve, reject) => {
    execFile('ffprobe', args, { timeout: timeoutMs, maxBuffer: 1 << 20, signal }, (err, stdout, stderr) => {
      if (err) {
        const reason = stderr.trim().split('\n').at(-1) || err.message;
        reject(new Error(`cannot read video ${input}: ${reason}`));
        return;
      }
      let json: ProbeJson;
      try {
        json = JSON.parse(stdout) as ProbeJson;
      } catch {
        reject(new Error(`cannot read video ${input}: ffprobe gave no usable answer`));
        return;
      }
      const s = json.streams?.[0];
      if (!s?.width || !s.height) {
        reject(
          new Error(
            `cannot read video ${input}: no video stream found (format ${json.format?.format_name ?? 'unknown'})`,
          ),
        );
        return;
      }
      const fps = parseRate(s.avg_frame_rate) || parseRate(s.r_frame_rate) || 25;
      const durationS = Number(s.duration ?? json.format?.duration ?? NaN);
      const frames = Number(s.nb_frames ?? NaN);
      resolve({
        width: s.width,
        height: s.height,
        fps,
        durationS: Number.isFinite(durationS) ? durationS : Number.isFinite(frames) ? frames / fps : 0,
        frames: Number.isFinite(frames) ? frames : Number.isFinite(durationS) ? Math.round(durationS * fps) : 0,
        codec: s.codec_name ?? 'unknown',
      });
    });
  });
}

function parseRate(rate: string | undefined): number {
  if (!rate) return 0;
  const [n, d] = rate.split('/').map(Number);
  if (!n || !d) return 0;
  return n / d;
}
