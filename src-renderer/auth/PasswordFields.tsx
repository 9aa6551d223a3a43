// A new password typed twice (setup, change, reset, new user): the rule is said beside it, not after a
// refusal, and what is still wrong is said as the user types. No maxLength: a long paste is refused
// visibly, never cut short.
import { PASSWORD_RULE, passwordProblem } from './authText';

interface Props {
  password: string;
  repeated: string;
  onPassword(v: string): void;
  onRepeated(v: string): void;
  testId: string;
  label?: string;
}

export function PasswordFields({ password, repeated, onPassword, onRepeated, testId, label = 'Password' }: Props) {
  const ruleId = `${testId}-password-rule`;
  const problem = password || repeated ? passwordProblem(password, repeated) : null;
  return (
    <>
      <label>{label} <input type="password" value={password} onChange={(e) => onPassword(e.target.value)} autoComplete="new-password" aria-describedby={ruleId} data-testid={`${testId}-password`} /></label>
      <label>{label} again <input type="password" value={repeated} onChange={(e) => onRepeated(e.target.value)} autoComplete="new-password" aria-describedby={ruleId} data-testid={`${testId}-password-repeat`} /></label>
      <p className="hint" id={ruleId}>{PASSWORD_RULE}</p>
      {problem && <p className="hint problem" aria-live="polite" data-testid={`${testId}-password-problem`}>{problem}</p>}
    </>
  );
}
