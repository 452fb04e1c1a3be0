import { useEffect, useState } from 'preact/hooks';

export interface WakeLockState {
  /** The browser has the Screen Wake Lock API (Chromium, Safari >= 16.4, Firefox >= 126; https or localhost). */
  supported: boolean;
  /** A screen wake lock is held right now: the tablet will not dim or lock. */
  active: boolean;
  /** Why the last request failed (battery saver, permissions policy, page hidden), or null. */
  error: string | null;
}

/** Whether this browser exposes the Screen Wake Lock API at all. */
export function wakeLockSupported(): boolean {
  return (
    typeof navigator !== 'undefined' && 'wakeLock' in navigator && typeof navigator.wakeLock?.request === 'function'
  );
}

/**
 * Keeps the screen on while `enabled` and the component is mounted (the speaker's live room page on a tablet).
 * The browser drops the lock whenever the page is hidden (tab switch, screen off, app switcher), so it is
 * re-acquired on every `visibilitychange` back to visible. Where the API is missing this is a no-op that
 * reports `supported: false`.
 */
export function useWakeLock(enabled = true): WakeLockState {
  const supported = wakeLockSupported();
  const [active, setActive] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!enabled || !supported) return;
    let sentinel: WakeLockSentinel | null = null;
    let pending = false;
    let disposed = false;

    const acquire = async () => {
      if (disposed || pending || document.visibilityState !== 'visible') return;
      if (sentinel && !sentinel.released) return;
      pending = true;
      try {
        const lock = await navigator.wakeLock.request('screen');
        if (disposed) {
          await lock.release();
          return;
        }
        sentinel = lock;
        lock.addEventListener('release', () => {
          if (sentinel === lock) setActive(false);
        });
        setActive(true);
        setError(null);
      } catch (err) {
        setActive(false);
        setError(err instanceof Error ? err.message : String(err));
      } finally {
        pending = false;
      }
    };
    const onVisibility = () => {
      if (document.visibilityState === 'visible') void acquire();
    };

    void acquire();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      disposed = true;
      document.removeEventListener('visibilitychange', onVisibility);
      const lock = sentinel;
      sentinel = null;
      setActive(false);
      if (lock && !lock.released) lock.release().catch(() => undefined);
    };
  }, [enabled, supported]);

  return { supported, active: supported && active, error };
}
