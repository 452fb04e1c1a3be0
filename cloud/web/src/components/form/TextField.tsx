import type { ComponentChildren, JSX } from 'preact';

export type TextFieldProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'label' | 'value' | 'onInput'> & {
  label: ComponentChildren;
  testId: string;
  value: string;
  onValue: (value: string) => void;
};

/** A labelled input that hands back its text on every keystroke; other input attributes pass through. */
export function TextField({ label, testId, value, onValue, ...input }: TextFieldProps) {
  return (
    <label>
      {label}
      <input data-testid={testId} value={value} onInput={(e) => onValue(e.currentTarget.value)} {...input} />
    </label>
  );
}
