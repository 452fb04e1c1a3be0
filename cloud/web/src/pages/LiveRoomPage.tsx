import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client';
import type { LiveAggregate, Room, Session, TimelinePoint } from '../api/types';
import { DistributionChart } from '../charts/DistributionChart';
import { TimelineChart } from '../charts/TimelineChart';
import { ConnectionBadge } from '../components/ConnectionBadge';
import { EmotionLegend } from '../components/EmotionBar';
import { ListenerTile } from '../components/ListenerTile';
import { trackLabels } from '../tracks';
import { ErrorNote, PageHeader, Panel } from '../components/ui';
import { colorOf, labelOf } from '../emotions';
import { ago, duration, percent, signed, toMs } from '../format';
import { useAction, useAsync, useNow } from '../hooks';
import { useLiveAggregate } from '../live';
import { countsLabel, suppressedText, TOO_SMALL_HINT, tooSmallText } from '../reading';

const WINDOW_MS = 10 * 60 * 1000;

export function LiveRoomPage({ roomId }: { roomId: string }) {
  const now = useNow(1000);
  const room = useAsync(
    () => api.get<Room[]>('/api/rooms').then((rooms) => rooms.find((r) => r.id === roomId) ?? null),
    [roomId],
  );
  const [points, setPoints] = useState<TimelinePoint[]>([]);
  const [timelineError, setTimelineError] = useState<string | null>(null);
  const pending = useRef<LiveAggregate[]>([]);
  const loaded = useRef(false);

  const live = useLiveAggregate(roomId, (agg) => {
    const point = pointOf(agg);
    // Events that arrive before the history has loaded are kept and merged after it.
    if (!loaded.current) pending.current.push(agg);
    else setPoints((prev) => appendPoint(prev, point));
  });

  useEffect(() => {
    loaded.current = false;
    pending.current = [];
    setPoints([]);
    const to = Date.now();
    api
      .get<{ points: TimelinePoint[] }>(
        `/api/rooms/${encodeURIComponent(roomId)}/timeline?from=${to - WINDOW_MS}&to=${to}&resolution=1s`,
      )
      .then((res) => {
        let merged = [...res.points].sort((a, b) => a.ts - b.ts);
        for (const agg of pending.current) merged = appendPoint(merged, pointOf(agg));
        setPoints(merged);
        setTimelineError(null);
      })
      .catch((err: unknown) =>
        setTimelineError(`Timeline history unavailable: ${err instanceof Error ? err.message : String(err)}`),
      )
      .finally(() => {
        loaded.current = true;
        pending.current = [];
      });
  }, [roomId]);

  const agg = live.aggregate;
  const minGroup = room.data?.minGroupSize ?? 3;
  const title = room.data?.name ?? roomId;
  const visible = points.filter((p) => p.ts >= now - WINDOW_MS);

  return (
    <div class="live">
      <PageHeader
        title={title}
        subtitle={room.data ? `${room.data.buildingName} · live room mood` : 'Live room mood'}
        actions={
          <>
            <ConnectionBadge
              connection={live.connection}
              detail={live.receivedAt ? ago(live.receivedAt, now) : undefined}
            />
            <SessionControls roomId={roomId} aggregate={agg} now={now} />
          </>
        }
      />
      <ErrorNote message={room.error} />
      {room.data === null && <ErrorNote message={`Room "${roomId}" does not exist or is not assigned to you.`} />}

      <div class="live-grid">
        <Panel class="mood" title="Room mood now">
          <div class="mood-body">
            <div class="faces" data-testid="live-counts">
              <span class="faces-value" data-testid="live-faces">
                {agg ? agg.faces : '—'}
              </span>{' '}
              <span class="faces-label">{agg ? countsLabel(agg) : 'listeners'}</span>
            </div>
            {agg && <TooSmallNote aggregate={agg} />}
            {agg?.suppressed ? (
              <>
                <SuppressedNotice text={suppressedText(agg, minGroup)} />
                {agg.attention !== null && <AttentionMetric attention={agg.attention} />}
              </>
            ) : agg && !agg.emotionEnabled ? (
              <>
                <EmotionOffNotice />
                <AttentionMetric attention={agg.attention} />
              </>
            ) : agg ? (
              <>
                <div class="dominant" style={{ '--accent': colorOf(agg.dominant) }}>
                  <span class="dominant-swatch" aria-hidden="true" />
                  <span class="dominant-label" data-testid="live-dominant" data-emotion={agg.dominant ?? ''}>
                    {labelOf(agg.dominant)}
                  </span>
                </div>
                <div class="mood-metrics">
                  <div>
                    <span class="metric-label">Valence</span>
                    <span class="metric-value" data-testid="live-valence">
                      {signed(agg.valence)}
                    </span>
                  </div>
                  <div>
                    <span class="metric-label">Attention</span>
                    <span class="metric-value" data-testid="live-attention">
                      {percent(agg.attention)}
                    </span>
                  </div>
                </div>
              </>
            ) : (
              <p class="muted">Waiting for the first snapshot from the room…</p>
            )}
          </div>
        </Panel>

        <Panel class="distribution" title="Distribution">
          {agg && !agg.suppressed && !agg.emotionEnabled ? (
            <EmotionOffNotice compact />
          ) : agg && !agg.suppressed ? (
            <div class="dist-body" data-testid="live-distribution">
              <div class="chart chart-donut">
                <DistributionChart distribution={agg.distribution} />
              </div>
              <EmotionLegend distribution={agg.distribution} testIdPrefix="dist-" />
            </div>
          ) : agg?.suppressed ? (
            <SuppressedNotice text={suppressedText(agg, minGroup)} compact />
          ) : (
            <p class="muted">No data yet.</p>
          )}
        </Panel>

        <Panel class="timeline" title="Last 10 minutes">
          <ErrorNote message={timelineError} />
          <div class="chart chart-timeline" data-testid="live-timeline">
            <TimelineChart points={visible} windowMs={WINDOW_MS} now={now} />
          </div>
        </Panel>

        <Panel class="listeners" title={`Listeners${agg && !agg.suppressed ? ` (${agg.tracks.length})` : ''}`}>
          {agg && !agg.suppressed ? (
            agg.tracks.length > 0 ? (
              <div class="tiles">
                {sortedTracks(agg.tracks, room.data?.deviceIds ?? []).map(({ track, label }) => (
                  <ListenerTile key={track.key} track={track} label={label} />
                ))}
              </div>
            ) : (
              <p class="muted">No individual tracks in this snapshot.</p>
            )
          ) : agg?.suppressed ? (
            <SuppressedNotice text={suppressedText(agg, minGroup)} compact />
          ) : (
            <p class="muted">No data yet.</p>
          )}
          <p class="fineprint">Anonymous, short-lived track numbers. No images or identities leave the room device.</p>
        </Panel>
      </div>
    </div>
  );
}

function SuppressedNotice({ text, compact = false }: { text: string; compact?: boolean }) {
  return (
    <div
      class={`suppressed ${compact ? 'suppressed-compact' : ''}`}
      data-testid={compact ? undefined : 'live-suppressed'}
      role="status"
    >
      <LockIcon />
      <span>{text}</span>
    </div>
  );
}

/** Listeners the camera sees too small to read, and what to do about it. */
function TooSmallNote({ aggregate }: { aggregate: LiveAggregate }) {
  const text = tooSmallText(aggregate);
  if (!text) return null;
  return (
    <div class="too-small" data-testid="live-too-small" role="note">
      <span class="too-small-count">{text}</span>
      <span class="too-small-hint">{TOO_SMALL_HINT}</span>
    </div>
  );
}

function AttentionMetric({ attention }: { attention: number | null }) {
  return (
    <div class="mood-metrics">
      <div>
        <span class="metric-label">Attention</span>
        <span class="metric-value" data-testid="live-attention">
          {percent(attention)}
        </span>
      </div>
    </div>
  );
}

/** Prefix in the recording badge: a speaker should see when a session was not started by hand. */
const SOURCE_LABEL: Record<Session['source'], string> = {
  manual: '',
  schedule: 'Timetable · ',
  auto: 'Auto · ',
  upload: '',
};

function SessionControls({ roomId, aggregate, now }: { roomId: string; aggregate: LiveAggregate | null; now: number }) {
  const [session, setSession] = useState<Session | null>(null);
  const [lastStopped, setLastStopped] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const actionAt = useRef(0);

  useEffect(() => {
    setSession(null);
    api
      .get<Session[]>(`/api/sessions?roomId=${encodeURIComponent(roomId)}`)
      .then((list) => setSession(list.find((s) => s.roomId === roomId && s.endedAt === null) ?? null))
      .catch(() => undefined);
  }, [roomId]);

  // The live stream is the source of truth for sessions started elsewhere (schedule, another tablet).
  useEffect(() => {
    if (!aggregate || aggregate.ts < actionAt.current + 2000) return;
    if (aggregate.sessionId && aggregate.sessionId !== session?.id) {
      setSession({
        id: aggregate.sessionId,
        roomId,
        title: '',
        startedAt: aggregate.ts,
        endedAt: null,
        source: aggregate.sessionSource ?? 'manual',
        status: 'active',
      });
    } else if (!aggregate.sessionId && session) {
      setLastStopped(session.id);
      setSession(null);
    }
  }, [aggregate?.ts, aggregate?.sessionId]);

  const start = async () => {
    const title = `Lecture ${new Date().toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}`;
    const created = await run(() => api.post<Session>(`/api/rooms/${encodeURIComponent(roomId)}/sessions`, { title }));
    if (!created) return;
    actionAt.current = Date.now();
    setSession(created);
  };

  const stop = async () => {
    if (!session) return;
    const stopped = await run(() => api.post(`/api/sessions/${encodeURIComponent(session.id)}/stop`).then(() => true));
    if (!stopped) return;
    actionAt.current = Date.now();
    setLastStopped(session.id);
    setSession(null);
  };

  const started = toMs(session?.startedAt);
  const startButton = (takeOver: boolean) => (
    <button
      type="button"
      class={`btn ${takeOver ? 'btn-ghost' : 'btn-primary'}`}
      data-testid="session-start"
      disabled={busy}
      title={takeOver ? 'Ends the session that started on its own and starts yours' : undefined}
      onClick={() => void start()}
    >
      {takeOver ? 'Start my session' : 'Start session'}
    </button>
  );
  return (
    <div class="session-controls">
      {session ? (
        <>
          <span class="recording" title="Session recording" data-testid="session-running">
            <span class="rec-dot" aria-hidden="true" />
            {SOURCE_LABEL[session.source]}
            {started ? duration((now - started) / 1000) : 'Recording'}
          </span>
          {(session.source === 'auto' || session.source === 'schedule') && startButton(true)}
          <button
            type="button"
            class="btn btn-danger"
            data-testid="session-stop"
            disabled={busy}
            onClick={() => void stop()}
          >
            Stop session
          </button>
        </>
      ) : (
        <>
          {lastStopped && (
            <a class="btn btn-ghost" href={`#/sessions/${encodeURIComponent(lastStopped)}`}>
              Last report
            </a>
          )}
          {startButton(false)}
        </>
      )}
      {error && (
        <span class="inline-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

function pointOf(agg: LiveAggregate): TimelinePoint {
  return {
    ts: agg.ts,
    faces: agg.faces,
    read: agg.read,
    valence: agg.valence,
    attention: agg.attention,
    distribution: agg.distribution,
  };
}

function appendPoint(prev: TimelinePoint[], point: TimelinePoint): TimelinePoint[] {
  const last = prev[prev.length - 1];
  if (last && point.ts <= last.ts) {
    if (point.ts === last.ts) return [...prev.slice(0, -1), point];
    return prev; // out-of-order duplicate from a reconnect
  }
  const cutoff = point.ts - WINDOW_MS - 60_000;
  const kept = prev.length > 0 && (prev[0]?.ts ?? 0) < cutoff ? prev.filter((p) => p.ts >= cutoff) : prev;
  return [...kept, point];
}

/** Devices can run with emotion inference switched off by policy: the room then reports counts only. */
function EmotionOffNotice({ compact = false }: { compact?: boolean }) {
  return (
    <div
      class={`suppressed ${compact ? 'suppressed-compact' : ''}`}
      data-testid={compact ? undefined : 'live-emotion-off'}
      role="status"
    >
      <span>Emotion analysis is switched off for this room — face counts and attention only</span>
    </div>
  );
}

function LockIcon() {
  return (
    <svg class="lock" viewBox="0 0 24 24" width="28" height="28" aria-hidden="true">
      <rect x="4" y="10" width="16" height="11" rx="2.5" fill="currentColor" opacity="0.9" />
      <path d="M8 10V7a4 4 0 0 1 8 0v3" fill="none" stroke="currentColor" stroke-width="2.2" />
    </svg>
  );
}

function sortedTracks(tracks: LiveAggregate['tracks'], deviceIds: readonly string[]) {
  const labels = trackLabels(
    tracks.map((t) => t.key),
    deviceIds,
  );
  return [...tracks]
    .sort((a, b) => a.key.localeCompare(b.key, undefined, { numeric: true }))
    .map((track) => ({ track, label: labels.get(track.key) ?? track.key }));
}
