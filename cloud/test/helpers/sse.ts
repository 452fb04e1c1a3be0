/** A minimal SSE reader over fetch: collects `event`/`data` pairs as they arrive. */
export interface SseStream {
  events: { event: string; data: string; at: number }[];
  comments: string[];
  next(
    filter?: (e: { event: string; data: string }) => boolean,
    timeoutMs?: number,
  ): Promise<{ event: string; data: string; at: number }>;
  close(): void;
}

export async function openSse(url: string): Promise<SseStream> {
  const ctrl = new AbortController();
  const res = await fetch(url, { signal: ctrl.signal, headers: { accept: 'text/event-stream' } });
  if (res.status !== 200 || !res.body) throw new Error(`SSE ${url}: HTTP ${res.status} ${await res.text()}`);
  const events: SseStream['events'] = [];
  const comments: string[] = [];
  let waiters: (() => void)[] = [];
  void readSseEvents(
    res.body,
    (e) => {
      events.push({ ...e, at: Date.now() });
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    },
    (comment) => comments.push(comment),
  );
  let consumed = 0;
  return {
    events,
    comments,
    async next(filter = () => true, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        while (consumed < events.length) {
          const e = events[consumed++]!;
          if (filter(e)) return e;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('timed out waiting for an SSE event');
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
    close() {
      ctrl.abort();
    },
  };
}

/**
 * Parses an SSE body block by block until it ends or its fetch is aborted; blocks without data
 * (keep-alive comments only) reach `onComment` but not `onEvent`.
 */
export async function readSseEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (e: { event: string; data: string }) => void,
  onComment: (comment: string) => void = () => undefined,
): Promise<void> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value;
      let idx: number;
      while ((idx = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, idx);
        buf = buf.slice(idx + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) onComment(line.slice(1).trim());
          else if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
        }
        if (data.length) onEvent({ event, data: data.join('\n') });
      }
    }
  } catch {
    // aborted
  }
}
