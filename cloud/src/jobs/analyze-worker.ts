// Child process running the device's vision pipeline on one uploaded video, so Haar detection and the
// CNN never block the cloud's event loop. Protocol (IPC): parent sends { path }; child sends
// { type: 'progress', fraction } ... then { type: 'result', result } or { type: 'error', message }.
type Message =
  { type: 'progress'; fraction: number } | { type: 'result'; result: unknown } | { type: 'error'; message: string };

type Analyze = (path: string, opts: { onProgress?: (f: number) => void; signal?: AbortSignal }) => Promise<unknown>;

function send(m: Message): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(m, () => resolve());
  });
}

async function loadAnalyzer(): Promise<Analyze> {
  const modulePath = process.env.LECTERN_ANALYZER_MODULE ?? '@lectern/device';
  const mod = (await import(modulePath)) as Record<string, unknown>;
  const fn = mod.analyzeVideo ?? (mod.default as Record<string, unknown> | undefined)?.analyzeVideo;
  if (typeof fn !== 'function')
    throw new Error(`video analysis is not available: ${modulePath} exports no analyzeVideo()`);
  return fn as Analyze;
}

process.once('message', (msg: { path: string }) => {
  void (async () => {
    try {
      const analyze = await loadAnalyzer();
      let last = -1;
      const result = await analyze(msg.path, {
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
