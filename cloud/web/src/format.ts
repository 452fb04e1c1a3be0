import { formatDuration } from '../../src/reports/report-format';
export function toMs(t: number | string | null | undefined): number | null {
  if (t === null || t === undefined) return null;
  const ms = typeof t === 'number' ? t : Date.parse(t);
  return Number.isFinite(ms) ? ms : null;
}

export function percent(p: number | null | undefined, digits = 0): string {
  return p === null || p === undefined || !Number.isFinite(p) ? '—' : `${(p * 100).toFixed(digits)}%`;
}

export function signed(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v).toFixed(digits)}`;
}

export function clock(t: number | string | null | undefined, withSeconds = true): string {
  const ms = toMs(t);
  if (ms === null) return '—';
  return new Date(ms).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    ...(withSeconds ? { second: '2-digit' } : {}),
  });
}

export function dateTime(t: number | string | null | undefined): string {
  const ms = toMs(t);
  if (ms === null) return '—';
  return new Date(ms).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

/** One duration rule for the web and the report (PDF, CSV): "42 s", "12 min 05 s", "1 h 02 min". */
export const duration = formatDuration;

export function ago(t: number | string | null | undefined, now = Date.now()): string {
  const ms = toMs(t);
  if (ms === null) return 'never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}
