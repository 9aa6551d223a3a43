// Sign in: user name and password, then the authenticator code when main answers MFA_REQUIRED (the
// password is kept in this form only until the code is sent, never stored elsewhere).
import { useState } from 'react';
import type { AuthStatus } from '../../src-shared/ipc/contract';
import { call } from '../api';
import { errorCode, messageOf, NO_SECOND_FACTOR, secondFactorFields, type SecondFactorValue } from './authText';
import { SecondFactor } from './SecondFactor';

const ENDED: Record<NonNullable<AuthStatus['reason']>, string> = {
  idle: 'You were signed out after a time without activity.',
  lifetime: 'Your session reached its time limit: sign in again.',
  manual: '',
  logout: 'You have signed out. Everything you had open was closed.',
};

export function LoginScreen({ reason, onSignedIn }: { reason: AuthStatus['reason']; onSignedIn(s: AuthStatus): void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [askCode, setAskCode] = useState(false);
  const [factor, setFactor] = useState<SecondFactorValue>(NO_SECOND_FACTOR);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const extra = secondFactorFields(factor);
  const ready = username !== '' && password !== '' && (!askCode || Object.keys(extra).length > 0);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!ready || busy) return;
    setBusy(true);
    setError(null);
    try {
      const status = await call('auth:login', { username, password, ...(askCode ? extra : {}) });
      setPassword('');
      onSignedIn(status);
    } catch (err) {
      const code = errorCode(err);
      if (code === 'MFA_REQUIRED' && !askCode) {
        setAskCode(true);
      } else {
        setError(messageOf(err, 'Signing in failed.'));
        setFactor((f) => ({ ...f, code: '' }));
        if (code !== 'MFA_INVALID') setAskCode(false);
        if (code !== 'MFA_INVALID') setPassword('');
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="auth-screen" data-testid="login-screen">
      <form className="auth-card form" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <h1 id="login-title">Sign in to Enclave</h1>
        {reason && ENDED[reason] && <p className="hint" role="status">{ENDED[reason]}</p>}
        <label>User name <input value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" maxLength={64} spellCheck={false} readOnly={askCode} data-testid="login-username" autoFocus /></label>
        <label>Password <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" readOnly={askCode} data-testid="login-password" /></label>
        {askCode && <SecondFactor value={factor} onChange={setFactor} testId="login" focus />}
        {error && <p className="error" role="alert" data-testid="login-error">{error}</p>}
        <div className="actions">
          {askCode && <button type="button" onClick={() => { setAskCode(false); setFactor(NO_SECOND_FACTOR); setPassword(''); }}>Back</button>}
          <button type="submit" disabled={!ready || busy} data-testid="login-submit">{busy ? 'Signing in…' : askCode ? 'Verify' : 'Sign in'}</button>
        </div>
      </form>
    </main>
  );
}
