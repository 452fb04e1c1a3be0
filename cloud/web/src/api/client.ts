import { clearSession, getToken } from '../auth';
import { navigate, parseHash } from '../router';
import type { ApiErrorBody } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function messageOf(body: unknown, fallback: string): string {
  if (body && typeof body === 'object' && 'message' in body) {
    const m = (body as ApiErrorBody).message;
    if (Array.isArray(m)) return m.join('; ');
    if (typeof m === 'string' && m) return m;
  }
  return fallback;
}

/** An expired or revoked token sends the user to login and back to where they were afterwards. */
function handleUnauthorized(): void {
  clearSession();
  const here = parseHash(window.location.hash);
  if (here.segments[0] !== 'login') navigate(`/login?next=${encodeURIComponent(here.href)}`, true);
}

export function authHeaders(): Record<string, string> {
  const token = getToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/**
 * `token`: send this session token instead of the stored one (a login that must still change its password is not
 * stored yet); a 401 then belongs to that token and does not log the stored session out.
 */
async function request(method: string, path: string, body?: unknown, token?: string): Promise<Response> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    ...(token ? { Authorization: `Bearer ${token}` } : authHeaders()),
  };
  const init: RequestInit = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'Cannot reach the Lectern server. Check the network connection.');
  }
  if (res.ok) return res;
  let parsed: unknown = null;
  try {
    parsed = await res.json();
  } catch {
    // Non-JSON error page (proxy, crash): fall back to the status text.
  }
  if (res.status === 401 && !token && path !== '/api/auth/login') handleUnauthorized();
  throw new ApiError(res.status, messageOf(parsed, `${res.status} ${res.statusText || 'Request failed'}`));
}

async function json<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const res = await request(method, path, body, token);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string) => json<T>('GET', path),
  post: <T>(path: string, body?: unknown) => json<T>('POST', path, body ?? {}),
  /** POST as the session `token` rather than the stored one (see request). */
  postAs: <T>(token: string | undefined, path: string, body: unknown) => json<T>('POST', path, body, token),
  put: <T>(path: string, body: unknown) => json<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => json<T>('PATCH', path, body),
  del: <T>(path: string) => json<T>('DELETE', path),
  /** Downloads an authenticated file (report CSV/PDF) through a blob so the token never lands in a URL. */
  async download(path: string, filename: string): Promise<void> {
    const res = await request('GET', path);
    const blob = await res.blob();
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = filenameFrom(res.headers.get('Content-Disposition')) ?? filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  },
};

function filenameFrom(disposition: string | null): string | null {
  const match = disposition?.match(/filename\*?=(?:UTF-8'')?"?([^";]+)"?/i);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

/**
 * The live stream's URL with a fresh 60 s ticket: EventSource cannot send the Authorization header, and a
 * ticket for one room's stream is all that should ever land in a URL (never the session token).
 */
export async function liveUrl(roomId: string): Promise<string> {
  const room = encodeURIComponent(roomId);
  const { ticket } = await api.post<{ ticket: string }>(`/api/rooms/${room}/live/ticket`);
  return `/api/rooms/${room}/live?ticket=${encodeURIComponent(ticket)}`;
}

export interface UploadHandle {
  done: Promise<unknown>;
  abort: () => void;
}

/** XHR rather than fetch: fetch has no upload progress events. */
export function uploadWithProgress(path: string, form: FormData, onProgress: (fraction: number) => void): UploadHandle {
  const xhr = new XMLHttpRequest();
  const done = new Promise<unknown>((resolve, reject) => {
    xhr.open('POST', path);
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // keep null
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else {
        if (xhr.status === 401) handleUnauthorized();
        reject(new ApiError(xhr.status, messageOf(body, `Upload failed (${xhr.status})`)));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'Upload failed: cannot reach the server.'));
    xhr.onabort = () => reject(new ApiError(0, 'Upload cancelled.'));
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}
