import { api } from '../api/client';
import type { Room, Session } from '../api/types';
import { Empty, ErrorNote, Loading, PageHeader, Panel } from '../components/ui';
import { dateTime, duration, toMs } from '../format';
import { useAsync } from '../hooks';
import { navigate } from '../router';

export function SessionsPage({ roomId }: { roomId: string | null }) {
  const rooms = useAsync(() => api.get<Room[]>('/api/rooms'), []);
  const sessions = useAsync(
    () => api.get<Session[]>(`/api/sessions${roomId ? `?roomId=${encodeURIComponent(roomId)}` : ''}`),
    [roomId],
    10_000,
  );
  const roomName = (id: string) => rooms.data?.find((r) => r.id === id)?.name ?? id;
  const list = [...(sessions.data ?? [])].sort((a, b) => (toMs(b.startedAt) ?? 0) - (toMs(a.startedAt) ?? 0));

  return (
    <div>
      <PageHeader
        title="Sessions"
        subtitle="Recorded lectures and analysed uploads"
        actions={
          <label class="inline-field">
            Room
            <select
              value={roomId ?? ''}
              onChange={(e) =>
                navigate(
                  e.currentTarget.value ? `/sessions?roomId=${encodeURIComponent(e.currentTarget.value)}` : '/sessions',
                )
              }
            >
              <option value="">All rooms</option>
              {(rooms.data ?? []).map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </label>
        }
      />
      <ErrorNote message={sessions.error} />
      {sessions.loading && !sessions.data && <Loading />}
      {sessions.data && list.length === 0 && (
        <Empty>No sessions yet. Start one from a room's live view, or upload a video.</Empty>
      )}
      {list.length > 0 && (
        <Panel>
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th>Title</th>
                  <th>Room</th>
                  <th>Started</th>
                  <th>Duration</th>
                  <th>Source</th>
                  <th>Status</th>
                </tr>
              </thead>
              <tbody>
                {list.map((s) => {
                  const start = toMs(s.startedAt);
                  const end = toMs(s.endedAt);
                  return (
                    <tr
                      key={s.id}
                      data-testid={`session-row-${s.id}`}
                      class="clickable"
                      onClick={() => navigate(`/sessions/${encodeURIComponent(s.id)}`)}
                    >
                      <td>
                        <a href={`#/sessions/${encodeURIComponent(s.id)}`}>{s.title || 'Untitled session'}</a>
                      </td>
                      <td>{roomName(s.roomId)}</td>
                      <td>{dateTime(s.startedAt)}</td>
                      <td>{start === null ? '—' : duration(((end ?? Date.now()) - start) / 1000)}</td>
                      <td>
                        <span class="tag">{s.source}</span>
                      </td>
                      <td>
                        <span class={`tag ${s.endedAt === null ? 'tag-live' : ''}`}>
                          {s.endedAt === null ? 'running' : s.status}
                        </span>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </Panel>
      )}
    </div>
  );
}
