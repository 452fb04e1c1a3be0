import { useEffect, useState } from 'preact/hooks';
import { enterFullscreen, exitFullscreen, fullscreenSupported, useFullscreen } from './fullscreen';
import type { WakeLockState } from './useWakeLock';

/** How long the "how to leave full screen" hint stays up after entering it. */
const HINT_MS = 5_000;

/**
 * At the lectern: whether the screen is being kept on (from `useWakeLock`, held by the page) and a
 * "Full screen" toggle. Full screen is the whole document, so the top bar hides (kiosk, styles.css) and this
 * button, still on the page, plus Esc / the system back gesture leave it; a hint says so on entering.
 */
export function KioskControls({ wakeLock }: { wakeLock: WakeLockState }) {
  const fullscreen = useFullscreen();
  const canFullscreen = fullscreenSupported();
  const [hint, setHint] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!fullscreen) {
      setHint(false);
      return;
    }
    setHint(true);
    const t = setTimeout(() => setHint(false), HINT_MS);
    return () => clearTimeout(t);
  }, [fullscreen]);

  const toggle = () => {
    setError(null);
    (fullscreen ? exitFullscreen() : enterFullscreen()).catch((err: unknown) =>
      setError(err instanceof Error ? err.message : 'Full screen is not available here'),
    );
  };

  const wake = wakeLockLabel(wakeLock);
  return (
    <div class="kiosk" data-testid="kiosk-controls">
      <span
        class={`kiosk-wake kiosk-wake-${wake.state}`}
        data-testid="wake-lock"
        data-state={wake.state}
        title={wake.title}
        role="status"
      >
        <span class="kiosk-wake-dot" aria-hidden="true" />
        {wake.label}
      </span>
      {canFullscreen && (
        <button
          type="button"
          class="btn btn-small kiosk-fullscreen"
          data-testid="fullscreen-toggle"
          aria-pressed={fullscreen}
          onClick={toggle}
        >
          <FullscreenIcon exit={fullscreen} />
          {fullscreen ? 'Exit full screen' : 'Full screen'}
        </button>
      )}
      {error && (
        <span class="inline-error" role="alert">
          {error}
        </span>
      )}
      {hint && (
        <div class="kiosk-hint" role="status" data-testid="fullscreen-hint">
          Full screen. Press <kbd>Esc</kbd>, swipe down from the top edge, or tap <strong>Exit full screen</strong> to
          leave.
        </div>
      )}
    </div>
  );
}

function wakeLockLabel(w: WakeLockState): { state: 'on' | 'off' | 'unsupported'; label: string; title: string } {
  if (!w.supported) {
    return {
      state: 'unsupported',
      label: 'Screen may sleep',
      title: 'This browser cannot keep the screen on: set the tablet’s auto-lock to “Never” during the lecture.',
    };
  }
  if (w.active) return { state: 'on', label: 'Keep screen on', title: 'The screen stays on while this page is open.' };
  return {
    state: 'off',
    label: 'Screen may sleep',
    title: w.error
      ? `The browser refused to keep the screen on (${w.error}); battery saver can do this.`
      : 'The screen lock is requested again when this page is shown.',
  };
}

function FullscreenIcon({ exit }: { exit: boolean }) {
  return (
    <svg
      width="18"
      height="18"
      viewBox="0 0 24 24"
      aria-hidden="true"
      fill="none"
      stroke="currentColor"
      stroke-width="2.4"
    >
      {exit ? <path d="M9 4v5H4M15 4v5h5M9 20v-5H4M15 20v-5h5" /> : <path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5" />}
    </svg>
  );
}
