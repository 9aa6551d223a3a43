// The second step of signing in or unlocking: the 6-digit code from the authenticator app, or one of the
// single-use recovery codes given at enrolment (for a lost phone).
import type { SecondFactorValue } from './authText';

interface Props {
  value: SecondFactorValue;
  onChange(v: SecondFactorValue): void;
  testId: string;
  /** When the field appears after the password was sent (sign-in), the cursor goes to it. */
  focus?: boolean;
}

export function SecondFactor({ value, onChange, testId, focus = false }: Props) {
  const totp = value.mode === 'totp';
  return (
    <>
      {totp ? (
        <label>Code from your authenticator app
          <input value={value.code} onChange={(e) => onChange({ mode: 'totp', code: e.target.value.replace(/\D/g, '').slice(0, 6) })} inputMode="numeric" autoComplete="one-time-code" pattern="\d{6}" aria-describedby={`${testId}-totp-hint`} data-testid={`${testId}-totp`} autoFocus={focus} />
        </label>
      ) : (
        <label>Recovery code
          <input value={value.code} onChange={(e) => onChange({ mode: 'recovery', code: e.target.value.slice(0, 32) })} autoComplete="off" spellCheck={false} data-testid={`${testId}-recovery-code`} autoFocus />
        </label>
      )}
      <p className="hint" id={`${testId}-totp-hint`}>{totp ? 'Six digits; a new code appears every 30 seconds.' : 'Each recovery code works once.'}</p>
      <button type="button" className="link-button" onClick={() => onChange({ mode: totp ? 'recovery' : 'totp', code: '' })} data-testid={`${testId}-factor-switch`}>
        {totp ? 'Use a recovery code instead' : 'Use the authenticator app instead'}
      </button>
    </>
  );
}
