import { render } from 'preact';
import { App } from './app';
import { followThemeInCharts } from './charts/chart-theme';
import { OfflineBanner } from './lectern/OfflineBanner';
import { registerServiceWorker } from './lectern/pwa';
import { applyTheme, storedTheme } from './lectern/theme';
import './styles.css';

// Before the first render, so a pinned Light or Dark theme does not flash the system one.
applyTheme(storedTheme());
followThemeInCharts();

const root = document.getElementById('app');
if (root) {
  render(
    <>
      <App />
      <OfflineBanner />
    </>,
    root,
  );
}
registerServiceWorker();
