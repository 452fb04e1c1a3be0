/** A readable id from a name ("Main Building" -> "main-building"). */
export function slugify(name: string): string {
  const s = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return s.length > 0 ? s : 'x';
}

export const SLUG_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
