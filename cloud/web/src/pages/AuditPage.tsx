import { useState } from 'preact/hooks';
import type { AuditView } from '../../../src/ops/audit-view';
import { api } from '../api/client';
import { Empty, ErrorNote, Loading, PageHeader, Panel } from '../components/ui';
import { dateTime } from '../format';
import { useAsync } from '../hooks';
import './audit-page.css';

/** What the audit log records, grouped for the action filter (prefixes match every action under them). */
const ACTIONS: { value: string; label: string }[] = [
  { value: '', label: 'Any action' },
  { value: 'session.', label: 'Sessions (start, stop, rename, delete)' },
  { value: 'report.', label: 'Reports viewed or exported' },
  { value: 'timeline.', label: 'Timelines viewed' },
  { value: 'live.', label: 'Live views opened' },
  { value: 'device.', label: 'Devices' },
  { value: 'room.', label: 'Rooms' },
  { value: 'user.', label: 'Users' },
  { value: 'upload.', label: 'Uploads' },
];

const DAY_MS = 86_400_000;

/** Admins see who viewed, exported or changed what, newest first, filtered by user, action and period. */
export function AuditPage() {
  const [username, setUsername] = useState('');
  const [action, setAction] = useState('');
  const [days, setDays] = useState(7);
  const query = new URLSearchParams({ limit: '500', from: String(Date.now() - days * DAY_MS) });
  if (username.trim()) query.set('username', username.trim());
  if (action) query.set('action', action);
  const rows = useAsync(() => api.get<AuditView[]>(`/api/audit?${query.toString()}`), [username, action, days]);

  return (
    <div>
      <PageHeader
        title="Audit log"
        subtitle="Who viewed, exported or changed what. Newest first, at most 500 entries."
      />
      <Panel>
        <form class="audit-filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter the audit log">
          <label class="field">
            User
            <input
              type="search"
              value={username}
              maxLength={64}
              placeholder="any user"
              data-testid="audit-user"
              onChange={(e) => setUsername(e.currentTarget.value)}
            />
          </label>
          <label class="field">
            Action
            <select value={action} data-testid="audit-action" onChange={(e) => setAction(e.currentTarget.value)}>
              {ACTIONS.map((a) => (
                <option key={a.value} value={a.value}>
                  {a.label}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            Period
            <select value={days} onChange={(e) => setDays(Number(e.currentTarget.value))}>
              <option value={1}>Last 24 hours</option>
              <option value={7}>Last 7 days</option>
              <option value={30}>Last 30 days</option>
              <option value={365}>Last year</option>
            </select>
          </label>
        </form>
      </Panel>
      <ErrorNote message={rows.error} />
      {rows.loading && !rows.data && <Loading />}
      {rows.data && rows.data.length === 0 && <Empty>Nothing recorded for these filters.</Empty>}
      {rows.data && rows.data.length > 0 && (
        <Panel>
          <div class="table-wrap">
            <table class="table" data-testid="audit-table">
              <thead>
                <tr>
                  <th>When</th>
                  <th>User</th>
                  <th>Action</th>
                  <th>Target</th>
                  <th>Details</th>
                </tr>
              </thead>
              <tbody>
                {rows.data.map((r) => (
                  <tr key={r.id} data-testid="audit-row">
                    <td class="nowrap">{dateTime(r.ts)}</td>
                    <td>{r.username}</td>
                    <td>
                      <span class="tag">{r.action}</span>
                    </td>
                    <td class="audit-target">{r.target}</td>
                    <td class="audit-detail">{r.detail === null ? '' : JSON.stringify(r.detail)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Panel>
      )}
    </div>
  );
}
