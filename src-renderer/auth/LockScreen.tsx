// The lock screen covers everything; behind it the app has already dropped its images (App.tsx unmounts
// the reading room). Only the signed-in user can unlock; anyone else signs that user out first.
import { useState } from 'react';
import type { AuthStatus, AuthUser } from '../../src-shared/ipc/contract';
import { call } from '../api';
import { errorCode, messageOf, NO_SECOND_FACTOR, secondFactorFields, type SecondFactorValue } from './authText';
import { SecondFactor } from './SecondFactor';

const WHY: Record<NonNullable<AuthStatus['reason']>, string> = {
  idle: 'Locked after a time without activity.',
  lifetime: 'Locked: the session reached its time limit.',
  manual: 'Locked.',
  logout: 'Locked.',
};

interface Props {
  user: AuthUser;
  reason: AuthStatus['reason'];
  mfaRequired: boolean;
  onUnlocked(s: AuthStatus): void;
}

export function LockScreen({ user, reason, mfaRequired, onUnlocked }: Props) {
  const [password, setPassword] = useState('');
  const [askCode, setAskCode] = useState(user.mfaEnrolled || mfaRequired);
  const [factor, setFactor] = useState<SecondFactorValue>(NO_SECOND_FACTOR);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const extra = secondFactorFields(factor);
  const ready = password !== '' && (!askCode || Object.keys(extra).length > 0);

  const unlock = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!ready || busy) return;
    setBusy(true);
    setError(null);
    try {
      const status = await call('auth:unlock', { password, ...(askCode ? extra : {}) });
      setPassword('');
      onUnlocked(status);
    } catch (err) {
      if (errorCode(err) === 'MFA_REQUIRED') setAskCode(true);
      else setError(messageOf(err, 'Unlocking failed.'));
      setFactor((f) => ({ ...f, code: '' }));
    } finally {
      setBusy(false);
    }
  };
  const logout = async () => {
    try {
      onUnlocked(await call('auth:logout', {}));
    } catch (err) {
      setError(messageOf(err, 'Signing out failed.'));
    }
  };

  return (
    <div className="lock-screen" role="dialog" aria-modal="true" aria-labelledby="lock-title" data-testid="lock-screen">
      <form className="auth-card form" onSubmit={(e) => void unlock(e)}>
        <h1 id="lock-title">Enclave is locked</h1>
        <p>{reason ? WHY[reason] : WHY.manual} Images were closed; they reopen after you unlock.</p>
        <p className="lock-user" data-testid="lock-user">{user.displayName} <span className="hint">({user.username})</span></p>
        <label>Password <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" data-testid="unlock-password" autoFocus /></label>
        {askCode && <SecondFactor value={factor} onChange={setFactor} testId="unlock" />}
        {error && <p className="error" role="alert" data-testid="unlock-error">{error}</p>}
        <div className="actions">
          <button type="button" onClick={() => void logout()} data-testid="lock-logout">Sign out instead</button>
          <button type="submit" disabled={!ready || busy} data-testid="unlock-submit">Unlock</button>
        </div>
      </form>
    </div>
  );
}
