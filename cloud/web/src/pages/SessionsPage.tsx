import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Room, Session } from '../api/types';
import { useUser } from '../auth';
import { Empty, ErrorNote, Loading, PageHeader, Panel } from '../components/ui';
import { dateTime, duration, toMs } from '../format';
import { useAction, useAsync } from '../hooks';
import { navigate } from '../router';
import './sessions-page.css';

/** The server's limit (cloud/src/sessions/session-title.ts), so a title is cut where it is typed, not refused. */
const MAX_TITLE = 200;

export function SessionsPage({ roomId }: { roomId: string | null }) {
  const rooms = useAsync(() => api.get<Room[]>('/api/rooms'), []);
  const sessions = useAsync(
    () => api.get<Session[]>(`/api/sessions${roomId ? `?roomId=${encodeURIComponent(roomId)}` : ''}`),
    [roomId],
    10_000,
  );
  const roomName = (id: string) => rooms.data?.find((r) => r.id === id)?.name ?? id;
  const user = useUser();
  const action = useAction();
  const [editing, setEditing] = useState<{ id: string; title: string } | null>(null);
  const saveTitle = async () => {
    if (!editing) return;
    const done = await action.run(() => api.patch<Session>(`/api/sessions/${encodeURIComponent(editing.id)}`, editing));
    if (done) {
      setEditing(null);
      sessions.reload();
    }
  };
  const remove = async (s: Session) => {
    const ok = window.confirm(
      `Delete "${s.title}" with everything recorded in it? Its report and timeline cannot be brought back.`,
    );
    if (!ok) return;
    const done = await action.run(() => api.del<void>(`/api/sessions/${encodeURIComponent(s.id)}`).then(() => true));
    if (done) sessions.reload();
  };
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
      <ErrorNote message={sessions.error ?? action.error} />
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
                  <th>
                    <span class="visually-hidden">Actions</span>
                  </th>
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
                        {editing?.id === s.id ? (
                          <form
                            class="title-edit"
                            onClick={(e) => e.stopPropagation()}
                            onSubmit={(e) => {
                              e.preventDefault();
                              void saveTitle();
                            }}
                          >
                            <input
                              value={editing.title}
                              maxLength={MAX_TITLE}
                              required
                              aria-label="Session title"
                              data-testid={`session-title-input-${s.id}`}
                              onInput={(e) => setEditing({ id: s.id, title: e.currentTarget.value })}
                            />
                            <button type="submit" class="btn btn-small" disabled={action.busy}>
                              Save
                            </button>
                            <button type="button" class="btn btn-small btn-ghost" onClick={() => setEditing(null)}>
                              Cancel
                            </button>
                          </form>
                        ) : (
                          <a href={`#/sessions/${encodeURIComponent(s.id)}`}>{s.title || 'Untitled session'}</a>
                        )}
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
                      <td class="row-actions" onClick={(e) => e.stopPropagation()}>
                        <button
                          type="button"
                          class="btn btn-small btn-ghost"
                          data-testid={`session-rename-${s.id}`}
                          onClick={() => setEditing({ id: s.id, title: s.title })}
                        >
                          Rename
                        </button>
                        {user?.role === 'admin' && s.endedAt !== null && (
                          <button
                            type="button"
                            class="btn btn-small btn-danger"
                            data-testid={`session-delete-${s.id}`}
                            disabled={action.busy}
                            onClick={() => void remove(s)}
                          >
                            Delete
                          </button>
                        )}
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
