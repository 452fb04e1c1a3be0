import type { TrackAggregate } from '../api/types';
import { colorOf, labelOf } from '../emotions';
import { percent } from '../format';
import { readingOf } from '../live/listeners';
import { EmotionBar } from './EmotionBar';

/**
 * One listener: their dominant emotion with its confidence (the top probability), the 7 probabilities as a
 * bar, and, for a notable change, the emotion they came from.
 */
export function ListenerTile({
  track,
  label,
  change,
}: {
  track: TrackAggregate;
  label: string;
  change?: { from: string; ago: string };
}) {
  const reading = readingOf(track.p);
  const dominant = reading?.emotion ?? null;
  return (
    <div
      class={`tile ${track.frontal ? '' : 'tile-away'} ${change ? 'tile-change' : ''}`}
      style={{ '--accent': colorOf(dominant) }}
      data-testid={`listener-${track.key}`}
    >
      <div class="tile-top">
        <span class="tile-key" title={track.key}>
          {label}
        </span>
        {!track.frontal && (
          <span class="tile-away-tag" title="Not facing the speaker">
            away
          </span>
        )}
      </div>
      {change && (
        <div class="tile-from" data-testid="tile-change">
          was <span style={{ color: colorOf(change.from) }}>{labelOf(change.from)}</span> · changed {change.ago}
        </div>
      )}
      <div class="tile-emotion">
        {labelOf(dominant)}
        {reading && (
          <span class="tile-conf" title="Confidence: the model's top probability for this listener">
            {percent(reading.confidence)}
          </span>
        )}
      </div>
      <EmotionBar p={track.p} height={8} label={`Listener ${track.key}`} />
    </div>
  );
}
