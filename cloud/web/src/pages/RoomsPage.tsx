import { api } from '../api/client';
import type { Room, User } from '../api/types';
import { EmotionBar } from '../components/EmotionBar';
import { Empty, ErrorNote, Loading, PageHeader } from '../components/ui';
import { colorOf, labelOf } from '../emotions';
import { ago, percent, signed } from '../format';
import { useAsync, useNow } from '../hooks';
import { suppressedShort, tooSmallText } from '../reading';

/** Polled rather than one SSE stream per room: browsers allow only ~6 HTTP/1.1 connections per host. */
const REFRESH_MS = 2000;

export function RoomsPage({ user }: { user: User }) {
  const rooms = useAsync(() => api.get<Room[]>('/api/rooms'), [], REFRESH_MS);
  const now = useNow(5000);
  const list = rooms.data ?? [];

  return (
    <div>
      <PageHeader
        title="Rooms"
        subtitle={rooms.data ? `${list.length} room${list.length === 1 ? '' : 's'} · updates live` : undefined}
      />
      <ErrorNote message={rooms.error} />
      {rooms.loading && !rooms.data && <Loading />}
      {rooms.data && list.length === 0 && (
        <Empty>
          {user.role === 'admin' ? (
            <>
              No rooms yet. <a href="#/admin">Create one in Admin</a>.
            </>
          ) : (
            'No rooms are assigned to you yet. Ask an administrator.'
          )}
        </Empty>
      )}
      <div class="cards">
        {list.map((room) => (
          <RoomCard key={room.id} room={room} now={now} />
        ))}
      </div>
    </div>
  );
}

function RoomCard({ room, now }: { room: Room; now: number }) {
  const live = room.live;
  const fresh = live ? now - live.ts < 60_000 : false;
  return (
    <a
      class="card room-card"
      href={`#/rooms/${encodeURIComponent(room.id)}`}
      data-testid={`room-card-${room.id}`}
      style={{ '--accent': live && !live.suppressed ? colorOf(live.dominant) : '#334155' }}
    >
      <div class="card-head">
        <div>
          <h2>{room.name}</h2>
          <p class="muted">{room.buildingName}</p>
        </div>
        <span
          class={`dot ${fresh ? 'dot-on' : 'dot-off'}`}
          title={live ? `Last update ${ago(live.ts, now)}` : 'No data yet'}
        />
      </div>
      <div class="card-figures">
        <div>
          <span class="big" data-testid={`room-faces-${room.id}`}>
            {live ? live.faces : '—'}
          </span>
          <span class="muted">listeners</span>
          {live?.emotionEnabled && (
            <span class="muted cell-sub" data-testid={`room-read-${room.id}`} title={tooSmallText(live) ?? undefined}>
              {live.read} read{live.tooSmall > 0 ? ` · ${live.tooSmall} too small` : ''}
            </span>
          )}
        </div>
        <div class="card-mood" data-testid={`room-mood-${room.id}`}>
          {!live ? (
            <span class="muted">no data</span>
          ) : live.suppressed ? (
            <span class="muted">{suppressedShort(live, room.minGroupSize)}</span>
          ) : (
            <>
              <span class="mood-word" style={{ color: colorOf(live.dominant) }}>
                {labelOf(live.dominant)}
              </span>
              <span class="muted">
                valence {signed(live.valence)} · attention {percent(live.attention)}
              </span>
            </>
          )}
        </div>
      </div>
      <EmotionBar p={live && !live.suppressed ? live.distribution : null} height={12} label={`${room.name} mood`} />
      <p class="card-foot muted">
        {room.deviceIds.length} device{room.deviceIds.length === 1 ? '' : 's'} ·{' '}
        {live ? `updated ${ago(live.ts, now)}` : 'waiting for data'}
      </p>
    </a>
  );
}
