import { useEffect, useState } from 'preact/hooks';

// Safari on iPadOS before 16.4 has only the webkit-prefixed Fullscreen API.
interface WebkitDocument {
  webkitFullscreenElement?: Element | null;
  webkitFullscreenEnabled?: boolean;
  webkitExitFullscreen?: () => Promise<void> | void;
}
interface WebkitElement {
  webkitRequestFullscreen?: () => Promise<void> | void;
}

const doc = () => document as Document & WebkitDocument;

export function fullscreenSupported(): boolean {
  if (typeof document === 'undefined') return false;
  return Boolean(document.fullscreenEnabled || doc().webkitFullscreenEnabled);
}

export function fullscreenElement(): Element | null {
  return document.fullscreenElement ?? doc().webkitFullscreenElement ?? null;
}

export async function enterFullscreen(el: Element = document.documentElement): Promise<void> {
  const target = el as Element & WebkitElement;
  if (target.requestFullscreen) await target.requestFullscreen({ navigationUI: 'hide' });
  else await target.webkitRequestFullscreen?.();
}

export async function exitFullscreen(): Promise<void> {
  if (!fullscreenElement()) return;
  if (document.exitFullscreen) await document.exitFullscreen();
  else await doc().webkitExitFullscreen?.();
}

/** Whether the page is in full screen now, following Esc, the system gesture and the page's own toggle. */
export function useFullscreen(): boolean {
  const [on, setOn] = useState(() => typeof document !== 'undefined' && fullscreenElement() !== null);
  useEffect(() => {
    const sync = () => setOn(fullscreenElement() !== null);
    document.addEventListener('fullscreenchange', sync);
    document.addEventListener('webkitfullscreenchange', sync);
    sync();
    return () => {
      document.removeEventListener('fullscreenchange', sync);
      document.removeEventListener('webkitfullscreenchange', sync);
    };
  }, []);
  return on;
}
