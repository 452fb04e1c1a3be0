import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { SessionReport } from '../api/types';
import { DistributionChart } from '../charts/DistributionChart';
import { TimelineChart } from '../charts/TimelineChart';
import { EmotionBar, EmotionChip, EmotionLegend } from '../components/EmotionBar';
import { Empty, ErrorNote, Loading, PageHeader, Panel, Stat } from '../components/ui';
import { dominantOf } from '../emotions';
import { useAsync } from '../hooks';
// Dependency-free module shared with the PDF and CSV (no server code): the same section titles and wording.
import {
  formatDuration,
  formatReportTime,
  formatSigned,
  REPORT_SECTIONS,
  type ReportView,
} from '../../../src/reports/report-format';

/** The API's report carries its text (room name, local times, duration, peak sentences), computed once. */
type ViewedReport = SessionReport & { view: ReportView };

export function SessionReportPage({ sessionId }: { sessionId: string }) {
  const base = `/api/sessions/${encodeURIComponent(sessionId)}`;
  const report = useAsync(() => api.get<ViewedReport>(`${base}/report`), [sessionId]);
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
        title={r ? r.view.title : 'Session report'}
        subtitle={
          r
            ? `${r.view.room} · ${r.view.started} · ${r.session.source} · ${r.session.endedAt === null ? 'still running' : r.session.status}`
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
            <Stat label="Duration" value={<span data-testid="report-duration">{r.view.duration}</span>} />
            <Stat label="Peak listeners" value={r.view.peakListeners} />
            <Stat
              label="Read (mean)"
              value={r.view.read}
              hint="listeners whose expressions were read; emotions stand for these"
            />
            <Stat label="Mean valence" value={r.view.meanValence} hint="−1 unpleasant · +1 pleasant" />
            <Stat label="Mean attention" value={r.view.meanAttention} hint="share facing the speaker" />
            <Stat label="Overall mood" value={<EmotionChip emotion={dominantOf(r.summary.distribution)} large />} />
          </div>
          <div class="report-grid">
            <Panel class="timeline" title={REPORT_SECTIONS.timeline}>
              <div class={r.timeline.length > 1 ? 'chart chart-timeline' : undefined} data-testid="report-timeline">
                {r.timeline.length > 1 ? (
                  <TimelineChart
                    points={r.timeline}
                    showFaces
                    // An upload's times are into the video, by the report's one rule (report-format.ts).
                    time={
                      r.view.time.mode === 'video'
                        ? { origin: r.view.time.origin, format: (ts) => formatReportTime(ts, r.view.time) }
                        : undefined
                    }
                  />
                ) : (
                  <Empty>Nothing was recorded in this session yet.</Empty>
                )}
              </div>
              {r.view.presence && (
                <p class="muted" data-testid="report-presence">
                  {r.view.presence}
                </p>
              )}
              {r.view.withheld && <p data-testid="report-withheld">{r.view.withheld}</p>}
            </Panel>
            <Panel class="distribution" title={REPORT_SECTIONS.distribution}>
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
            <Panel class="peaks" title={REPORT_SECTIONS.peaks}>
              {r.view.peaks.length === 0 ? (
                <Empty>{r.view.noPeaks}</Empty>
              ) : (
                <ul class="peaks-list" data-testid="report-peaks">
                  {r.view.peaks.map((p) => (
                    <li key={`${p.kind}-${p.ts}`} class={`peak peak-${p.kind}`}>
                      <span class="peak-time">{p.clock}</span>
                      <span class="peak-kind">{p.sentence}.</span>
                    </li>
                  ))}
                </ul>
              )}
            </Panel>
          </div>
          <Panel title={`${REPORT_SECTIONS.listeners} (${r.listeners.length})`}>
            {r.listeners.length === 0 ? (
              <Empty>{r.view.listenerSummary}</Empty>
            ) : (
              <div class="table-wrap">
                <p class="muted" data-testid="report-listener-summary">
                  {r.view.listenerSummary}
                </p>
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
                          <td>{formatDuration(l.seenS)}</td>
                          <td>
                            <EmotionChip emotion={dominantOf(l.distribution)} />
                          </td>
                          <td class="wide">
                            <EmotionBar p={l.distribution} height={12} label={`Listener ${l.key}`} />
                          </td>
                          <td>{formatSigned(l.meanValence)}</td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              </div>
            )}
          </Panel>
          <Panel title={REPORT_SECTIONS.privacy}>
            <p class="muted" data-testid="report-threshold">
              {r.view.threshold}
            </p>
            <p class="muted">{r.view.timeZoneNote}</p>
          </Panel>
        </>
      )}
    </div>
  );
}
