import type { ComponentChildren } from 'preact';

export interface Option<V extends string> {
  value: V;
  label: string;
}

/** A labelled drop-down; `empty` is the one option shown (value "") while there are none to choose from. */
export function SelectField<V extends string>({
  label,
  testId,
  value,
  onValue,
  options,
  required,
  empty,
}: {
  label: ComponentChildren;
  testId: string;
  value: V;
  onValue: (value: V) => void;
  options: Option<V>[];
  required?: boolean;
  empty?: string;
}) {
  return (
    <label>
      {label}
      <select
        data-testid={testId}
        required={required}
        value={value}
        onChange={(e) => onValue(e.currentTarget.value as V)}
      >
        {options.length === 0 && empty !== undefined && <option value="">{empty}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}
