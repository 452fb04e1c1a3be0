import { useState } from 'preact/hooks';
import type { TrackAggregate } from '../api/types';
import { colorOf, labelOf } from '../emotions';
import { percent } from '../format';
import { CONFIDENT, HOLD_MS, NOTABLE_MS, type ListenerSummary, type NotableChange } from '../live/listeners';
import { ListenerTile } from './ListenerTile';
import './listener-summary.css';

interface Props {
  summary: ListenerSummary;
  notable: readonly NotableChange<TrackAggregate>[];
  /** Every listener in tile order, with their short labels. */
  all: readonly { track: TrackAggregate; label: string }[];
  labels: ReadonlyMap<string, string>;
  now: number;
}

/**
 * The listener grid, summarised: one row per dominant emotion with its count and mean confidence, tiles only
 * for listeners whose emotion changed noticeably, and every tile on request.
 */
export function ListenerSummaryView({ summary, notable, all, labels, now }: Props) {
  const [showAll, setShowAll] = useState(false);
  const max = Math.max(1, ...summary.groups.map((g) => g.count));
  return (
    <div class="lsum">
      <ul class="lsum-groups" data-testid="listener-groups" aria-label="Listeners per dominant emotion">
        {summary.groups.map((g) => (
          <li
            key={g.emotion}
            class="lsum-group"
            style={{ '--accent': colorOf(g.emotion) }}
            data-testid={`listener-group-${g.emotion}`}
          >
            <span class="lsum-name">{labelOf(g.emotion)}</span>
            <span class="lsum-bar" aria-hidden="true">
              <span style={{ width: `${(g.count / max) * 100}%` }} />
            </span>
            <span class="lsum-count" data-testid={`listener-count-${g.emotion}`}>
              {g.count}
            </span>
            <span class="lsum-conf" title="Mean confidence (top probability) of these listeners">
              {percent(g.confidence)} conf.
              {g.uncertain > 0 && <span class="lsum-unsure"> · {g.uncertain} unsure</span>}
            </span>
          </li>
        ))}
      </ul>
      <p class="lsum-note" data-testid="listener-confidence">
        {summary.total} read · mean confidence {percent(summary.confidence)}
        {summary.uncertain > 0 && ` · ${summary.uncertain} unsure (< ${percent(CONFIDENT)})`}
        {summary.away > 0 && ` · ${summary.away} looking away`}
      </p>

      <h3 class="lsum-sub">Notable changes</h3>
      {notable.length > 0 ? (
        <div class="tiles" data-testid="listener-changes">
          {notable.map((n) => (
            <ListenerTile
              key={n.track.key}
              track={n.track}
              label={labels.get(n.track.key) ?? n.track.key}
              change={{ from: n.from, ago: `${Math.max(0, Math.round((now - n.at) / 1000))} s ago` }}
            />
          ))}
        </div>
      ) : (
        <p class="muted lsum-none" data-testid="listener-no-changes">
          No listener changed emotion in the last {NOTABLE_MS / 1000} s.
        </p>
      )}
      <p class="fineprint">
        A change: a listener's emotion switched and held for {HOLD_MS / 1000} s at ≥ {percent(CONFIDENT)} confidence;
        shown for {NOTABLE_MS / 1000} s.
      </p>

      <button
        type="button"
        class="btn btn-ghost lsum-toggle"
        aria-expanded={showAll}
        data-testid="listener-show-all"
        onClick={() => setShowAll((v) => !v)}
      >
        {showAll ? 'Hide individual listeners' : `Show all ${all.length} listeners`}
      </button>
      {showAll && (
        <div class="tiles" data-testid="listener-tiles">
          {all.map(({ track, label }) => (
            <ListenerTile key={track.key} track={track} label={label} />
          ))}
        </div>
      )}
    </div>
  );
}
