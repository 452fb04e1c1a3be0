import { useEffect, useRef, useState } from 'preact/hooks';
import { api, uploadWithProgress, type UploadHandle } from '../api/client';
import type { Job, Room } from '../api/types';
import { Empty, ErrorNote, PageHeader, Panel, ProgressBar } from '../components/ui';
import { dateTime, percent, toMs } from '../format';
import { useAction, useAsync } from '../hooks';
import { limitsText, minGroupText, type UploadLimits } from './upload-limits';

const ACCEPT = '.mp4,.webm,.mov,.mkv,.avi,video/mp4,video/webm,video/quicktime,video/x-matroska,video/x-msvideo';
const EXTENSIONS = ['mp4', 'webm', 'mov', 'mkv', 'avi'];
const ACTIVE: Job['status'][] = ['queued', 'running'];

export function UploadsPage() {
  const [jobs, setJobs] = useState<Job[] | null>(null);
  const [jobsError, setJobsError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const anyActive = (jobs ?? []).some((j) => ACTIVE.includes(j.status));

  // Poll every second while something is queued or running, otherwise only on demand (and every 15 s).
  useEffect(() => {
    let cancelled = false;
    const load = () =>
      api
        .get<Job[]>('/api/jobs')
        .then((list) => {
          if (cancelled) return;
          setJobs(list);
          setJobsError(null);
        })
        .catch((err: unknown) => !cancelled && setJobsError(err instanceof Error ? err.message : String(err)));
    void load();
    const id = setInterval(() => void load(), anyActive ? 1000 : 15_000);
    return () => {
      cancelled = true;
      clearInterval(id);
    };
  }, [anyActive, tick]);

  const refresh = () => setTick((t) => t + 1);
  const sorted = [...(jobs ?? [])].sort((a, b) => (toMs(b.createdAt) ?? 0) - (toMs(a.createdAt) ?? 0));

  return (
    <div class="uploads">
      <PageHeader
        title="Video analysis"
        subtitle="Upload a recorded lecture; it is analysed on the server and becomes a session report"
      />
      <UploadForm
        limitsKey={`${tick}:${(jobs ?? []).filter((j) => ACTIVE.includes(j.status)).length}`}
        onUploaded={(job) => {
          setJobs((prev) => [job, ...(prev ?? []).filter((j) => j.id !== job.id)]);
          refresh();
        }}
      />
      <Panel title="Jobs">
        <ErrorNote message={jobsError} />
        {jobs && sorted.length === 0 && <Empty>No uploads yet.</Empty>}
        {sorted.length > 0 && (
          <ul class="jobs">
            {sorted.map((job) => (
              <JobRow key={job.id} job={job} onChanged={refresh} />
            ))}
          </ul>
        )}
      </Panel>
    </div>
  );
}

function JobRow({ job, onChanged }: { job: Job; onChanged: () => void }) {
  const { busy, error, run } = useAction();
  const cancel = async () => {
    if (await run(() => api.del(`/api/jobs/${encodeURIComponent(job.id)}`).then(() => true))) onChanged();
  };
  const active = ACTIVE.includes(job.status);
  return (
    <li class={`job job-${job.status}`} data-testid={`job-row-${job.id}`} data-status={job.status}>
      <div class="job-main">
        <div class="job-title">
          <strong class="job-file">{job.filename}</strong>
          <span class={`tag tag-${job.status}`}>{job.status}</span>
        </div>
        <div class="job-meta muted">
          {dateTime(job.createdAt)}
          {active && ` · ${percent(job.progress)}`}
        </div>
        <ProgressBar
          value={job.status === 'done' ? 1 : job.progress}
          label={`${job.filename} analysis progress`}
          testId={`job-progress-${job.id}`}
        />
        {job.error && <div class="inline-error">{job.error}</div>}
        {error && (
          <div class="inline-error" role="alert">
            {error}
          </div>
        )}
      </div>
      <div class="job-actions">
        {active && (
          <button
            type="button"
            class="btn btn-small btn-danger"
            data-testid={`job-cancel-${job.id}`}
            disabled={busy}
            onClick={() => void cancel()}
          >
            Cancel
          </button>
        )}
        {job.sessionId && (
          <a
            class="btn btn-small btn-primary"
            data-testid={`job-report-link-${job.id}`}
            href={`#/sessions/${encodeURIComponent(job.sessionId)}`}
          >
            View report
          </a>
        )}
      </div>
    </li>
  );
}

function UploadForm({ onUploaded, limitsKey }: { onUploaded: (job: Job) => void; limitsKey: string }) {
  const rooms = useAsync(() => api.get<Room[]>('/api/rooms'), []);
  // Reloaded when jobs start or finish; a server without the endpoint just shows no limits line.
  const limits = useAsync(() => api.get<UploadLimits>('/api/uploads/limits').catch(() => null), [limitsKey]);
  const [file, setFile] = useState<File | null>(null);
  const [roomId, setRoomId] = useState('');
  const [title, setTitle] = useState('');
  const [dragging, setDragging] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const handle = useRef<UploadHandle | null>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => () => handle.current?.abort(), []);

  const choose = (f: File | null | undefined) => {
    setError(null);
    if (!f) return;
    const ext = f.name.split('.').pop()?.toLowerCase() ?? '';
    if (!EXTENSIONS.includes(ext)) {
      setError(`"${f.name}" is not a supported video (${EXTENSIONS.join(', ')}).`);
      return;
    }
    setFile(f);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file) {
      setError('Choose a video file first.');
      return;
    }
    const form = new FormData();
    form.append('file', file, file.name);
    if (roomId) form.append('roomId', roomId);
    if (title.trim()) form.append('title', title.trim());
    setError(null);
    setProgress(0);
    handle.current = uploadWithProgress('/api/uploads', form, setProgress);
    try {
      const job = (await handle.current.done) as Job;
      setFile(null);
      setTitle('');
      if (input.current) input.current.value = '';
      onUploaded(job);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      handle.current = null;
      setProgress(null);
    }
  };

  const uploading = progress !== null;
  // The chosen room's K (rooms may raise it), else the cloud's.
  const minGroup = roomId ? (rooms.data ?? []).find((r) => r.id === roomId)?.minGroupSize : limits.data?.minGroupSize;
  return (
    <Panel title="Upload a video">
      <form class="upload-form" onSubmit={(e) => void submit(e)}>
        <label
          class={`dropzone ${dragging ? 'dropzone-over' : ''} ${file ? 'dropzone-has' : ''}`}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            choose(e.dataTransfer?.files[0]);
          }}
        >
          <input
            ref={input}
            class="visually-hidden"
            data-testid="upload-input"
            type="file"
            accept={ACCEPT}
            onChange={(e) => choose(e.currentTarget.files?.[0])}
          />
          <span class="dropzone-icon" aria-hidden="true">
            <svg viewBox="0 0 24 24" width="28" height="28">
              <path
                d="M12 16V4m0 0-5 5m5-5 5 5M5 20h14"
                fill="none"
                stroke="currentColor"
                stroke-width="2.2"
                stroke-linecap="round"
                stroke-linejoin="round"
              />
            </svg>
          </span>
          {file ? (
            <span>
              <strong>{file.name}</strong> · {(file.size / 1e6).toFixed(1)} MB
            </span>
          ) : (
            <span>
              <strong>Drop a video here</strong> or tap to choose · mp4, webm, mov, mkv, avi
            </span>
          )}
        </label>
        <div class="form-grid">
          <label>
            Room <small>(optional)</small>
            <select data-testid="upload-room" value={roomId} onChange={(e) => setRoomId(e.currentTarget.value)}>
              <option value="">No room</option>
              {(rooms.data ?? []).map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Title <small>(optional)</small>
            <input
              data-testid="upload-title"
              value={title}
              onInput={(e) => setTitle(e.currentTarget.value)}
              placeholder="e.g. Algebra week 3"
            />
          </label>
        </div>
        {minGroup !== undefined && (
          <div class="muted upload-limits" data-testid="upload-min-group">
            {minGroupText(minGroup)}
          </div>
        )}
        {limits.data && (
          <div class="muted upload-limits" data-testid="upload-limits">
            {limitsText(limits.data)}
          </div>
        )}
        {uploading && <ProgressBar value={progress} label="Upload progress" testId="upload-progress" />}
        <ErrorNote message={error} />
        <div class="form-actions">
          {uploading && (
            <button type="button" class="btn btn-ghost" onClick={() => handle.current?.abort()}>
              Cancel upload
            </button>
          )}
          <button type="submit" class="btn btn-primary" data-testid="upload-submit" disabled={uploading || !file}>
            {uploading ? `Uploading… ${percent(progress)}` : 'Upload and analyse'}
          </button>
        </div>
      </form>
    </Panel>
  );
}
