import type { TrackAggregate } from '../api/types';
import { colorOf, dominantOf, labelOf } from '../emotions';
import { EmotionBar } from './EmotionBar';

export function ListenerTile({ track, label }: { track: TrackAggregate; label: string }) {
  const dominant = dominantOf(track.p);
  return (
    <div
      class={`tile ${track.frontal ? '' : 'tile-away'}`}
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
      <div class="tile-emotion">{labelOf(dominant)}</div>
      <EmotionBar p={track.p} height={8} label={`Listener ${track.key}`} />
    </div>
  );
}
