import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { PeakKind, SessionReport } from '../api/types';
import { DistributionChart } from '../charts/DistributionChart';
import { TimelineChart } from '../charts/TimelineChart';
import { EmotionBar, EmotionChip, EmotionLegend } from '../components/EmotionBar';
import { Empty, ErrorNote, Loading, PageHeader, Panel, Stat } from '../components/ui';
import { dominantOf } from '../emotions';
import { clock, dateTime, duration, percent, signed } from '../format';
import { useAsync } from '../hooks';

const PEAK_TEXT: Record<PeakKind, string> = {
  'valence-high': 'Most positive moment',
  'valence-low': 'Most negative moment',
  'attention-low': 'Attention dip',
};

export function SessionReportPage({ sessionId }: { sessionId: string }) {
  const base = `/api/sessions/${encodeURIComponent(sessionId)}`;
  const report = useAsync(() => api.get<SessionReport>(`${base}/report`), [sessionId]);
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const [downloading, setDownloading] = useState<'csv' | 'pdf' | null>(null);

  const download = async (kind: 'csv' | 'pdf') => {
    setDownloading(kind);
    setDownloadError(null);
    try {
      await api.download(`${base}/report.${kind}`, `lectern-session-${sessionId}.${kind}`);
    } catch (err) {
      setDownloadError(err instanceof Error ? err.message : String(err));
    } finally {
      setDownloading(null);
    }
  };

  const r = report.data;
  return (
    <div class="report">
      <PageHeader
        title={r ? r.session.title || 'Untitled session' : 'Session report'}
        subtitle={
          r
            ? `${dateTime(r.session.startedAt)} · ${r.session.source} · ${r.session.endedAt === null ? 'still running' : r.session.status}`
            : undefined
        }
        actions={
          <>
            <a
              class="btn btn-ghost"
              href={r ? `#/sessions?roomId=${encodeURIComponent(r.session.roomId)}` : '#/sessions'}
            >
              All sessions
            </a>
            <button
              type="button"
              class="btn"
              data-testid="report-csv"
              disabled={downloading !== null}
              onClick={() => void download('csv')}
            >
              {downloading === 'csv' ? 'Downloading…' : 'Download CSV'}
            </button>
            <button
              type="button"
              class="btn btn-primary"
              data-testid="report-pdf"
              disabled={downloading !== null}
              onClick={() => void download('pdf')}
            >
              {downloading === 'pdf' ? 'Downloading…' : 'Download PDF'}
            </button>
          </>
        }
      />
      <ErrorNote message={report.error} />
      <ErrorNote message={downloadError} />
      {report.loading && !r && <Loading label="Building report…" />}
      {r && (
        <>
          <div class="stats">
            <Stat label="Duration" value={duration(r.summary.durationS)} />
            <Stat label="Peak listeners" value={r.summary.peakFaces} />
            <Stat
              label="Read (mean)"
              value={`${r.summary.meanRead.toFixed(1)} of ${r.summary.meanFaces.toFixed(1)}`}
              hint="listeners whose expressions were read; emotions stand for these"
            />
            <Stat label="Mean valence" value={signed(r.summary.meanValence)} hint="−1 unpleasant · +1 pleasant" />
            <Stat label="Mean attention" value={percent(r.summary.meanAttention)} hint="share facing the speaker" />
            <Stat label="Overall mood" value={<EmotionChip emotion={dominantOf(r.summary.distribution)} large />} />
          </div>
          <div class="report-grid">
            <Panel class="timeline" title="Timeline">
              <div class={r.timeline.length > 1 ? 'chart chart-timeline' : undefined} data-testid="report-timeline">
                {r.timeline.length > 1 ? (
                  <TimelineChart points={r.timeline} showFaces />
                ) : (
                  <Empty>Nothing was recorded in this session yet.</Empty>
                )}
              </div>
            </Panel>
            <Panel class="distribution" title="Distribution over the session">
              {r.summary.distribution ? (
                <div class="dist-body">
                  <div class="chart chart-bar">
                    <DistributionChart distribution={r.summary.distribution} kind="bar" />
                  </div>
                  <EmotionLegend distribution={r.summary.distribution} testIdPrefix="report-dist-" />
                </div>
              ) : (
                <Empty>Too few listeners read for a distribution (hidden for privacy).</Empty>
              )}
            </Panel>
            <Panel class="peaks" title="Peaks">
              {r.peaks.length === 0 ? (
                <Empty>No notable peaks.</Empty>
              ) : (
                <ul class="peaks-list" data-testid="report-peaks">
                  {[...r.peaks]
                    .sort((a, b) => a.ts - b.ts)
                    .map((p) => (
                      <li key={`${p.kind}-${p.ts}`} class={`peak peak-${p.kind}`}>
                        <span class="peak-time">{clock(p.ts)}</span>
                        <span class="peak-kind">{PEAK_TEXT[p.kind] ?? p.kind}</span>
                        <span class="peak-value">
                          {p.kind === 'attention-low' ? percent(p.value) : signed(p.value)}
                        </span>
                      </li>
                    ))}
                </ul>
              )}
            </Panel>
          </div>
          <Panel title={`Listeners (${r.listeners.length})`}>
            {r.listeners.length === 0 ? (
              <Empty>No per-listener summaries (too few listeners read, or emotion inference was off).</Empty>
            ) : (
              <div class="table-wrap">
                <table class="table" data-testid="report-listeners">
                  <thead>
                    <tr>
                      <th>Listener</th>
                      <th>Seen</th>
                      <th>Mostly</th>
                      <th class="wide">Distribution</th>
                      <th>Mean valence</th>
                    </tr>
                  </thead>
                  <tbody>
                    {[...r.listeners]
                      .sort((a, b) => b.seenS - a.seenS)
                      .map((l) => (
                        <tr key={l.key}>
                          <td class="mono">#{l.key}</td>
                          <td>{duration(l.seenS)}</td>
                          <td>
                            <EmotionChip emotion={dominantOf(l.distribution)} />
                          </td>
                          <td class="wide">
                            <EmotionBar p={l.distribution} height={12} label={`Listener ${l.key}`} />
                          </td>
                          <td>{signed(l.meanValence)}</td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              </div>
            )}
          </Panel>
        </>
      )}
    </div>
  );
}
