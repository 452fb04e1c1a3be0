import { useEffect, useRef, useState } from 'preact/hooks';
import { api, liveUrl } from './api/client';
import type { LiveAggregate } from './api/types';

export type Connection = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface LiveState {
  aggregate: LiveAggregate | null;
  connection: Connection;
  /** Receipt time of the last event, local clock. */
  receivedAt: number | null;
}

/**
 * Subscribes to a room's SSE channel. EventSource retries dropped connections itself; when the server
 * refuses the stream (it closes for good, e.g. an expired ticket or token) we check the session and retry
 * slowly with a fresh ticket.
 */
export function useLiveAggregate(roomId: string, onAggregate?: (a: LiveAggregate) => void): LiveState {
  const [state, setState] = useState<LiveState>({ aggregate: null, connection: 'connecting', receivedAt: null });
  const callback = useRef(onAggregate);
  callback.current = onAggregate;

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    setState({ aggregate: null, connection: 'connecting', receivedAt: null });

    const connect = () => {
      liveUrl(roomId).then(open, () => {
        // No ticket (network, server down; a 401 already sent the user to login): try again slowly.
        if (stopped) return;
        setState((s) => ({ ...s, connection: 'offline' }));
        retry = setTimeout(connect, 5000);
      });
    };
    const open = (url: string) => {
      if (stopped) return;
      // EventSource reconnects by itself with the same URL; once the ticket has expired that fails for good
      // (CLOSED below) and connect() fetches a new one.
      source = new EventSource(url);
      source.onopen = () => setState((s) => ({ ...s, connection: 'live' }));
      source.addEventListener('aggregate', (ev: MessageEvent<string>) => {
        let agg: LiveAggregate;
        try {
          agg = JSON.parse(ev.data) as LiveAggregate;
        } catch {
          return; // one malformed event must not break the stream
        }
        setState({ aggregate: agg, connection: 'live', receivedAt: Date.now() });
        callback.current?.(agg);
      });
      source.onerror = () => {
        if (!source || stopped) return;
        if (source.readyState === EventSource.CLOSED) {
          setState((s) => ({ ...s, connection: 'offline' }));
          source.close();
          // A 401 here redirects to login through the API client.
          api.get('/api/me').catch(() => undefined);
          retry = setTimeout(connect, 5000);
        } else {
          setState((s) => ({ ...s, connection: 'reconnecting' }));
        }
      };
    };
    connect();
    return () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      source?.close();
    };
  }, [roomId]);

  return state;
}
