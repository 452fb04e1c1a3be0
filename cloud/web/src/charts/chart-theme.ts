import { cssColor, onSchemeChange } from '../lectern/theme';
import { Chart } from './setup';

/**
 * Axis text follows the theme (light or dark, docs/screenshots/theme-*.png): read from the page's CSS variables
 * at start and whenever the scheme changes, and every drawn chart is redrawn with it. Kept apart from setup.ts,
 * which the cloud's tests import outside a browser.
 */
export function followThemeInCharts(): void {
  const apply = (): void => {
    const text = cssColor('--muted');
    if (text) Chart.defaults.color = text;
    for (const chart of Object.values(Chart.instances)) chart.update('none');
  };
  apply();
  onSchemeChange(apply);
}
