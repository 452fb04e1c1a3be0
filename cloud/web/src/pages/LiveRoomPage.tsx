import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api/client';
import type { LiveAggregate, Room, Session, TimelinePoint } from '../api/types';
import { DistributionChart } from '../charts/DistributionChart';
import { SharesChart } from '../charts/SharesChart';
import { TrendChart } from '../charts/TrendChart';
import type { Band } from '../charts/hiddenBands';
import { ConnectionBadge } from '../components/ConnectionBadge';
import { EmotionLegend } from '../components/EmotionBar';
import { ListenerSummaryView } from '../components/ListenerSummary';
import { trackLabels } from '../tracks';
import { ErrorNote, PageHeader, Panel } from '../components/ui';
import { colorOf, labelOf } from '../emotions';
import { ago, clock, duration, percent, signed, toMs } from '../format';
import { useAction, useAsync, useNow } from '../hooks';
import { KioskControls, useWakeLock } from '../lectern';
import { useLiveAggregate } from '../live';
import { appendPoint, mergeHistory } from '../live/history';
import { notableChanges, rememberTracks, summarizeListeners, type Memory } from '../live/listeners';
import { EMA_TAU_MS, emaSeries, emaVectors } from '../live/smoothing';
import { hiddenIntervals, hiddenLabel, hiddenShort, type HiddenInterval } from '../live/suppressed';
import { historyFrom, liveDomain, MAX_HISTORY_MS, storyStart, visibleIndices, ZOOMS, type Zoom } from '../live/window';
import { countsLabel, suppressedText, TOO_SMALL_HINT, tooSmallText } from '../reading';
import './live-room.css';

const SMOOTH_LABEL = `${EMA_TAU_MS / 1000} s average`;
const SMOOTH_SHORT = `${EMA_TAU_MS / 1000} s avg`;

export function LiveRoomPage({ roomId }: { roomId: string }) {
  const now = useNow(1000);
  const room = useAsync(
    () => api.get<Room[]>('/api/rooms').then((rooms) => rooms.find((r) => r.id === roomId) ?? null),
    [roomId],
  );
  const [session, setSession] = useState<Session | null>(null);
  // The tablet at the lectern must not dim or lock while the room is open.
  const wakeLock = useWakeLock();
  const [points, setPoints] = useState<TimelinePoint[]>([]);
  const [timelineError, setTimelineError] = useState<string | null>(null);
  const [zoom, setZoom] = useState<Zoom>('fit');
  const [showRaw, setShowRaw] = useState(true);
  const memory = useRef<Memory>(new Map());

  const live = useLiveAggregate(roomId, (agg) => {
    memory.current = rememberTracks(memory.current, agg.tracks, agg.ts);
    setPoints((prev) => appendPoint(prev, pointOf(agg), agg.ts - MAX_HISTORY_MS));
  });

  useEffect(() => {
    setPoints([]);
    memory.current = new Map();
  }, [roomId]);

  // History: the running session from its start (else the last 15 minutes), continued by the live stream.
  const sessionStart = session ? toMs(session.startedAt) : null;
  useEffect(() => {
    let cancelled = false;
    const to = Date.now();
    const from = historyFrom(sessionStart, to);
    api
      .get<{ points: TimelinePoint[] }>(
        `/api/rooms/${encodeURIComponent(roomId)}/timeline?from=${from}&to=${to}&resolution=1s`,
      )
      .then((res) => {
        if (cancelled) return;
        setPoints((prev) => mergeHistory(res.points, prev));
        setTimelineError(null);
      })
      .catch((err: unknown) => {
        if (!cancelled) setTimelineError(`History unavailable: ${err instanceof Error ? err.message : String(err)}`);
      });
    return () => {
      cancelled = true;
    };
  }, [roomId, sessionStart]);

  const agg = live.aggregate;
  const minGroup = room.data?.minGroupSize ?? 3;
  const emotionEnabled = agg?.emotionEnabled ?? true;
  const title = room.data?.name ?? roomId;

  const derived = useMemo(() => {
    const ts = points.map((p) => p.ts);
    return {
      ts,
      valence: emaSeries(
        ts,
        points.map((p) => p.valence),
      ),
      attention: emaSeries(
        ts,
        points.map((p) => p.attention),
      ),
      shares: emaVectors(
        ts,
        points.map((p) => p.distribution),
      ),
    };
  }, [points]);
  const hidden = useMemo(() => hiddenIntervals(points, emotionEnabled), [points, emotionEnabled]);
  const bands: Band[] = hidden.map((h) => ({
    from: h.from,
    to: h.to,
    label: hiddenLabel(h.reason, minGroup),
    short: hiddenShort(h.reason, minGroup),
  }));

  const domain = liveDomain(zoom, storyStart(points, sessionStart, now), now);
  const idx = visibleIndices(derived.ts, domain);
  const pick = <T,>(xs: readonly T[]) => idx.map((i) => xs[i] as T);
  const visibleTs = pick(derived.ts);

  // The big figures: the smoothed value at the newest point (the raw one until there is history).
  const lastIdx = points.length - 1;
  const newest = points[lastIdx];
  const fresh = agg !== null && newest !== undefined && newest.ts === agg.ts;
  const valenceNow = fresh ? (derived.valence[lastIdx] ?? null) : (agg?.valence ?? null);
  const attentionNow = fresh ? (derived.attention[lastIdx] ?? null) : (agg?.attention ?? null);

  const labels = useMemo(
    () =>
      trackLabels(
        (agg?.tracks ?? []).map((t) => t.key),
        room.data?.deviceIds ?? [],
      ),
    [agg, room.data],
  );
  const summary = useMemo(() => summarizeListeners(agg?.tracks ?? []), [agg]);
  const notable = agg ? notableChanges(memory.current, agg.tracks, agg.ts) : [];
  const dominantGroup = summary.groups.find((g) => g.emotion === agg?.dominant);

  return (
    <div class="live lv">
      <PageHeader
        title={title}
        subtitle={room.data ? `${room.data.buildingName} · live room mood` : 'Live room mood'}
        actions={
          <>
            <ConnectionBadge
              connection={live.connection}
              detail={live.receivedAt ? ago(live.receivedAt, now) : undefined}
            />
            <SessionControls roomId={roomId} aggregate={agg} now={now} session={session} setSession={setSession} />
            <KioskControls wakeLock={wakeLock} />
          </>
        }
      />
      <ErrorNote message={room.error} />
      {room.data === null && <ErrorNote message={`Room "${roomId}" does not exist or is not assigned to you.`} />}

      <section class="lv-figures" aria-label="The room now" data-testid="live-figures">
        <div class="lv-fig lv-fig-listeners">
          <span class="metric-label">Listeners</span>
          <div class="faces" data-testid="live-counts">
            <span class="faces-value" data-testid="live-faces">
              {agg ? agg.faces : '—'}
            </span>{' '}
            <span class="faces-label">{agg ? countsLabel(agg) : 'listeners'}</span>
          </div>
        </div>
        {agg?.suppressed ? (
          <>
            <div class="lv-fig lv-fig-notice">
              <SuppressedNotice text={suppressedText(agg, minGroup)} />
            </div>
            {agg.attention !== null && <AttentionFigure value={attentionNow} raw={agg.attention} smoothed={fresh} />}
          </>
        ) : agg && !agg.emotionEnabled ? (
          <>
            <div class="lv-fig lv-fig-notice">
              <EmotionOffNotice />
            </div>
            <AttentionFigure value={attentionNow} raw={agg.attention} smoothed={fresh} />
          </>
        ) : agg ? (
          <>
            <div class="lv-fig lv-fig-mood" style={{ '--accent': colorOf(agg.dominant) }}>
              <span class="metric-label">Mood now</span>
              <div class="dominant">
                <span class="dominant-swatch" aria-hidden="true" />
                <span class="dominant-label" data-testid="live-dominant" data-emotion={agg.dominant ?? ''}>
                  {labelOf(agg.dominant)}
                </span>
              </div>
              <span class="lv-sub" data-testid="live-dominant-confidence">
                {dominantGroup
                  ? `${dominantGroup.count} of ${summary.total} listeners · ${percent(dominantGroup.confidence)} confidence`
                  : `${percent(agg.distribution?.[dominantIndex(agg)] ?? null)} of the room`}
              </span>
            </div>
            <div class="lv-fig">
              <span class="metric-label" style={{ color: 'var(--valence)' }}>
                Valence
              </span>
              <span class="lv-value" data-testid="live-valence">
                {signed(valenceNow)}
              </span>
              <span class="lv-sub">
                {fresh ? `${SMOOTH_LABEL} · now ` : 'now '}
                <span data-testid="live-valence-raw">{signed(agg.valence)}</span>
              </span>
            </div>
            <AttentionFigure value={attentionNow} raw={agg.attention} smoothed={fresh} />
          </>
        ) : (
          <div class="lv-fig lv-fig-notice">
            <p class="muted">Waiting for the first snapshot from the room…</p>
          </div>
        )}
      </section>
      {agg && <TooSmallNote aggregate={agg} />}

      <div class="lv-grid">
        <Panel
          class="lv-trend"
          title="Valence and attention"
          actions={
            <div class="lv-controls">
              <div class="lv-zoom" role="group" aria-label="Time window">
                {ZOOMS.map((z) => (
                  <button
                    key={z.id}
                    type="button"
                    class={`lv-zoom-btn ${zoom === z.id ? 'is-on' : ''}`}
                    aria-pressed={zoom === z.id}
                    data-testid={`live-zoom-${z.id}`}
                    onClick={() => setZoom(z.id)}
                  >
                    {z.id === 'session' && !session ? 'All' : z.label}
                  </button>
                ))}
              </div>
              <label class="lv-raw">
                <input
                  type="checkbox"
                  checked={showRaw}
                  data-testid="live-show-raw"
                  onChange={(e) => setShowRaw(e.currentTarget.checked)}
                />
                Raw 1 s
              </label>
            </div>
          }
        >
          <ErrorNote message={timelineError} />
          <div
            class="chart lv-chart-trend"
            data-testid="live-timeline"
            data-from={Math.round(domain.min)}
            data-to={Math.round(domain.max)}
            data-points={visibleTs.length}
          >
            <TrendChart
              series={{
                ts: visibleTs,
                valence: pick(derived.valence),
                valenceRaw: idx.map((i) => points[i]?.valence ?? null),
                attention: pick(derived.attention),
                attentionRaw: idx.map((i) => points[i]?.attention ?? null),
              }}
              domain={domain}
              bands={bands}
              showRaw={showRaw}
              smoothLabel={SMOOTH_SHORT}
            />
          </div>
          <WindowCaption zoom={zoom} domain={domain} session={session} showRaw={showRaw} />
          <HiddenPeriods intervals={hidden} domain={domain} minGroup={minGroup} />
        </Panel>

        <Panel class="lv-shares" title="Emotions over time">
          {emotionEnabled ? (
            <div class="chart lv-chart-shares" data-testid="live-shares">
              <SharesChart ts={visibleTs} shares={pick(derived.shares)} domain={domain} bands={bands} />
            </div>
          ) : (
            <EmotionOffNotice compact />
          )}
        </Panel>

        <Panel class="lv-listeners" title={`Listeners${agg && !agg.suppressed ? ` (${agg.tracks.length})` : ''}`}>
          {agg && !agg.suppressed ? (
            agg.tracks.length > 0 ? (
              <ListenerSummaryView
                summary={summary}
                notable={notable}
                all={sortedTracks(agg.tracks, labels)}
                labels={labels}
                now={agg.ts}
              />
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

        <Panel class="lv-dist" title="Distribution now">
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
      </div>
    </div>
  );
}

function dominantIndex(agg: LiveAggregate): number {
  const d = agg.distribution ?? [];
  return d.indexOf(Math.max(...d));
}

function AttentionFigure({ value, raw, smoothed }: { value: number | null; raw: number | null; smoothed: boolean }) {
  return (
    <div class="lv-fig">
      <span class="metric-label" style={{ color: 'var(--attention)' }}>
        Attention
      </span>
      <span class="lv-value" data-testid="live-attention">
        {percent(value)}
      </span>
      <span class="lv-sub">
        {smoothed ? `${SMOOTH_LABEL} · now ` : 'now '}
        <span data-testid="live-attention-raw">{percent(raw)}</span>
      </span>
    </div>
  );
}

function WindowCaption({
  zoom,
  domain,
  session,
  showRaw,
}: {
  zoom: Zoom;
  domain: { min: number; max: number };
  session: Session | null;
  showRaw: boolean;
}) {
  const span = duration((domain.max - domain.min) / 1000);
  const what =
    zoom === 'last5'
      ? 'Last 5 minutes'
      : zoom === 'session'
        ? session
          ? 'Whole session'
          : 'All loaded history'
        : session
          ? 'Session so far'
          : 'Since listeners arrived';
  return (
    <p class="lv-caption" data-testid="live-window">
      {what}: {clock(domain.min, false)}–{clock(domain.max, false)} ({span}). Lines: {SMOOTH_LABEL} (EMA, time constant{' '}
      {EMA_TAU_MS / 1000} s){showRaw ? '; thin: raw 1 s values' : ''}.
    </p>
  );
}

/** The shaded periods as text too: which, when and why (screen readers, and a speaker checking later). */
function HiddenPeriods({
  intervals,
  domain,
  minGroup,
}: {
  intervals: readonly HiddenInterval[];
  domain: { min: number; max: number };
  minGroup: number;
}) {
  const shown = intervals.filter((h) => h.to > domain.min && h.from < domain.max);
  if (!shown.length) return null;
  const latest = shown.slice(-3).reverse();
  return (
    <p class="lv-hidden" data-testid="live-hidden-periods">
      <LockIcon small />
      <span>
        Hidden for privacy ({shown.length} {shown.length === 1 ? 'period' : 'periods'}, shaded):{' '}
        {latest.map((h) => `${clock(h.from)}–${clock(h.to)} ${hiddenShort(h.reason, minGroup)}`).join('; ')}
        {shown.length > latest.length ? '; …' : ''}
      </span>
    </p>
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
    <div class="too-small lv-too-small" data-testid="live-too-small" role="note">
      <span class="too-small-count">{text}</span>
      <span class="too-small-hint">{TOO_SMALL_HINT}</span>
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

function SessionControls({
  roomId,
  aggregate,
  now,
  session,
  setSession,
}: {
  roomId: string;
  aggregate: LiveAggregate | null;
  now: number;
  session: Session | null;
  setSession: (s: Session | null) => void;
}) {
  const [lastStopped, setLastStopped] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const actionAt = useRef(0);

  const fetchRunning = () =>
    api
      .get<Session[]>(`/api/sessions?roomId=${encodeURIComponent(roomId)}`)
      .then((list) => setSession(list.find((s) => s.roomId === roomId && s.endedAt === null) ?? null))
      .catch(() => undefined);

  useEffect(() => {
    setSession(null);
    void fetchRunning();
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
      // The stream knows the session, not when it began (the live charts start there): ask the server.
      void fetchRunning();
    } else if (!aggregate.sessionId && session) {
      setLastStopped(session.id);
      setSession(null);
    }
  }, [aggregate?.ts, aggregate?.sessionId]);

  const start = async () => {
    // Untitled: the cloud names it like every other session (room name and local start time), renamable later.
    const created = await run(() => api.post<Session>(`/api/rooms/${encodeURIComponent(roomId)}/sessions`, {}));
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

function LockIcon({ small = false }: { small?: boolean }) {
  const size = small ? 18 : 28;
  return (
    <svg class="lock" viewBox="0 0 24 24" width={size} height={size} aria-hidden="true">
      <rect x="4" y="10" width="16" height="11" rx="2.5" fill="currentColor" opacity="0.9" />
      <path d="M8 10V7a4 4 0 0 1 8 0v3" fill="none" stroke="currentColor" stroke-width="2.2" />
    </svg>
  );
}

function sortedTracks(tracks: LiveAggregate['tracks'], labels: ReadonlyMap<string, string>) {
  return [...tracks]
    .sort((a, b) => a.key.localeCompare(b.key, undefined, { numeric: true }))
    .map((track) => ({ track, label: labels.get(track.key) ?? track.key }));
}
