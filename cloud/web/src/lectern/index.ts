export { KioskControls } from './KioskControls';
export { useWakeLock, wakeLockSupported, type WakeLockState } from './useWakeLock';
export { enterFullscreen, exitFullscreen, fullscreenSupported, useFullscreen } from './fullscreen';
export { ThemeSwitch } from './ThemeSwitch';
export {
  applyTheme,
  cssColor,
  effectiveTheme,
  onSchemeChange,
  setTheme,
  storedTheme,
  useTheme,
  type ThemeChoice,
} from './theme';
export { OfflineBanner } from './OfflineBanner';
export { registerServiceWorker, useOffline } from './pwa';
