// Child process running @lectern/vision's pipeline on one uploaded video, so Haar detection and the
// CNN never block the cloud's event loop. Protocol (IPC): parent sends { path, maxDurationS }; child sends
// { type: 'progress', fraction } ... then { type: 'result', result } or { type: 'error', message }.
import { analyzeVideo, type VideoAnalysis } from '@lectern/vision';

type Message =
  | { type: 'progress'; fraction: number }
  | { type: 'result'; result: VideoAnalysis }
  | { type: 'error'; message: string };

function send(m: Message): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(m, () => resolve());
  });
}

process.once('message', (msg: { path: string; maxDurationS: number }) => {
  void (async () => {
    try {
      let last = -1;
      const result = await analyzeVideo(msg.path, {
        // Analysis stops here whatever the file's header says (LECTERN_UPLOAD_MAX_MINUTES).
        maxDurationS: msg.maxDurationS,
        onProgress: (fraction) => {
          // At most one message per percent.
          const pct = Math.floor(fraction * 100);
          if (pct !== last) {
            last = pct;
            void send({ type: 'progress', fraction });
          }
        },
      });
      await send({ type: 'result', result });
    } catch (err) {
      await send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
    process.exit(0);
  })();
});
