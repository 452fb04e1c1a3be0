import { TextField, type TextFieldProps } from './TextField';

/** The server's floor for a chosen password (users.service rejects shorter ones); the field says so up front. */
export const MIN_PASSWORD_LENGTH = 8;

/**
 * A password input. `current`: the one the user has now (no length rule, the browser offers the saved one);
 * otherwise a new password, which the browser may generate.
 */
export function PasswordField({
  current = false,
  ...field
}: Pick<TextFieldProps, 'label' | 'testId' | 'value' | 'onValue'> & { current?: boolean }) {
  return (
    <TextField
      {...field}
      type="password"
      required
      minLength={current ? undefined : MIN_PASSWORD_LENGTH}
      autoComplete={current ? 'current-password' : 'new-password'}
    />
  );
}
