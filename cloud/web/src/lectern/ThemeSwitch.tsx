import { THEME_CHOICES, useTheme, type ThemeChoice } from './theme';

const LABELS: Record<ThemeChoice, string> = { system: 'System', light: 'Light', dark: 'Dark' };

/** System / Light / Dark, for the top bar's user area. */
export function ThemeSwitch() {
  const [choice, setChoice] = useTheme();
  return (
    <label class="theme-switch" title="Colour theme">
      <span class="visually-hidden">Theme</span>
      <ThemeIcon />
      <select
        data-testid="theme-select"
        value={choice}
        onChange={(e) => setChoice(e.currentTarget.value as ThemeChoice)}
      >
        {THEME_CHOICES.map((c) => (
          <option key={c} value={c}>
            {LABELS[c]}
          </option>
        ))}
      </select>
    </label>
  );
}

function ThemeIcon() {
  return (
    <svg class="theme-icon" width="18" height="18" viewBox="0 0 24 24" aria-hidden="true">
      <circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="2" />
      <path d="M12 3a9 9 0 0 1 0 18z" fill="currentColor" />
    </svg>
  );
}
