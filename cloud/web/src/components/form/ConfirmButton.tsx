import type { ComponentChildren } from 'preact';

/** A button that asks `question` first (a destructive or irreversible step) and runs `onConfirmed` on yes. */
export function ConfirmButton({
  question,
  testId,
  disabled,
  onConfirmed,
  class: className = 'btn btn-small',
  children,
}: {
  question: string;
  testId: string;
  disabled: boolean;
  onConfirmed: () => Promise<unknown>;
  class?: string;
  children: ComponentChildren;
}) {
  return (
    <button
      type="button"
      class={className}
      data-testid={testId}
      disabled={disabled}
      onClick={() => {
        if (confirm(question)) void onConfirmed();
      }}
    >
      {children}
    </button>
  );
}
