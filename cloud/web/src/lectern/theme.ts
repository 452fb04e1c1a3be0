import { useEffect, useState } from 'preact/hooks';

/** System follows `prefers-color-scheme`; Light and Dark pin it (data-theme on <html>, styles.css). */
export type ThemeChoice = 'system' | 'light' | 'dark';
export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

const KEY = 'lectern.theme';
/** The browser chrome (status bar, installed app title bar) per theme; matches --bg in styles.css. */
export const THEME_COLORS = { dark: '#0f1623', light: '#f4f6fa' } as const;

const listeners = new Set<(choice: ThemeChoice) => void>();

export function storedTheme(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

/** The scheme in effect: the choice, or the system's when the choice is System. */
export function effectiveTheme(choice: ThemeChoice): 'light' | 'dark' {
  if (choice !== 'system') return choice;
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

/** Sets data-theme on <html> (absent for System) and the theme-color metas the browser chrome reads. */
export function applyTheme(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', choice);
  for (const meta of document.querySelectorAll<HTMLMetaElement>('meta[name="theme-color"]')) {
    const scheme = meta.media.includes('light') ? 'light' : 'dark';
    meta.content = THEME_COLORS[choice === 'system' ? scheme : choice];
  }
  notifyScheme();
}

const schemeListeners = new Set<(scheme: 'light' | 'dark') => void>();
let lastScheme: 'light' | 'dark' | null = null;
let systemWatched = false;

function notifyScheme(): void {
  const scheme = effectiveTheme(storedTheme());
  if (scheme === lastScheme) return;
  lastScheme = scheme;
  for (const l of schemeListeners) l(scheme);
}

/**
 * Calls back whenever the scheme in effect changes: the Theme menu, another tab, or the system switching
 * (for canvas charts, which cannot use CSS variables directly). Returns the unsubscribe function.
 */
export function onSchemeChange(listener: (scheme: 'light' | 'dark') => void): () => void {
  if (!systemWatched && typeof matchMedia === 'function') {
    systemWatched = true;
    lastScheme = effectiveTheme(storedTheme());
    matchMedia('(prefers-color-scheme: light)').addEventListener('change', notifyScheme);
  }
  schemeListeners.add(listener);
  return () => schemeListeners.delete(listener);
}

/** A custom property of styles.css (`--text`, `--muted`, `--line`…) as the scheme in effect resolves it. */
export function cssColor(name: `--${string}`): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

export function setTheme(choice: ThemeChoice): void {
  try {
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // Private mode without storage: the choice lasts for this page only.
  }
  applyTheme(choice);
  for (const l of listeners) l(choice);
}

/** The stored choice and a setter; follows changes made in other tabs. */
export function useTheme(): [ThemeChoice, (choice: ThemeChoice) => void] {
  const [choice, setChoice] = useState<ThemeChoice>(storedTheme);
  useEffect(() => {
    const onStorage = (e: StorageEvent) => {
      if (e.key !== KEY && e.key !== null) return;
      const next = storedTheme();
      applyTheme(next);
      setChoice(next);
    };
    listeners.add(setChoice);
    window.addEventListener('storage', onStorage);
    return () => {
      listeners.delete(setChoice);
      window.removeEventListener('storage', onStorage);
    };
  }, []);
  return [choice, setTheme];
}
