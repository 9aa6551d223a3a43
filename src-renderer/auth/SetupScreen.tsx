// First run: the administrator's account, then the recovery key shown once. The key opens the encrypted
// cache when no password can (every administrator gone, a keychain lost): it is IT's, and Enclave keeps no
// copy, so the screen does not go away until someone says it is stored.
import { useState } from 'react';
import type { Responses } from '../../src-shared/ipc/contract';
import { call } from '../api';
import { messageOf, passwordProblem, USERNAME_PATTERN } from './authText';
import { PasswordFields } from './PasswordFields';

export type SetupResult = Responses['auth:setup'];

export function SetupScreen({ onCreated }: { onCreated(result: SetupResult): void }) {
  const [username, setUsername] = useState('admin');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [repeated, setRepeated] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const problem = !USERNAME_PATTERN.test(username)
    ? 'A user name is 1 to 64 letters, digits, dots, dashes, underscores or @.'
    : displayName.trim() === '' ? 'Enter the administrator’s name.' : passwordProblem(password, repeated);
  const nameProblem = problem && !passwordProblem(password, repeated) ? problem : null;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (problem || busy) return;
    setBusy(true);
    setError(null);
    try {
      onCreated(await call('auth:setup', { username, displayName: displayName.trim(), password }));
    } catch (err) {
      setError(messageOf(err, 'The administrator account could not be created.'));
      setBusy(false);
    }
  };

  return (
    <main className="auth-screen" data-testid="setup-screen">
      <form className="auth-card form" onSubmit={(e) => void submit(e)} aria-labelledby="setup-title">
        <h1 id="setup-title">Set up Enclave</h1>
        <p>Enclave keeps studies encrypted on this computer and records who opens them. First, create the administrator account; the administrator then adds the other users.</p>
        <label>User name <input value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" maxLength={64} spellCheck={false} data-testid="setup-username" data-autofocus autoFocus /></label>
        <label>Full name <input value={displayName} onChange={(e) => setDisplayName(e.target.value)} autoComplete="name" maxLength={128} data-testid="setup-display-name" /></label>
        <PasswordFields password={password} repeated={repeated} onPassword={setPassword} onRepeated={setRepeated} testId="setup" />
        {nameProblem && username !== '' && <p className="hint problem">{nameProblem}</p>}
        {error && <p className="error" role="alert">{error}</p>}
        <div className="actions">
          <button type="submit" disabled={!!problem || busy} data-testid="setup-submit">{busy ? 'Creating…' : 'Create administrator'}</button>
        </div>
      </form>
    </main>
  );
}

export function RecoveryKeyScreen({ result, onDone }: { result: SetupResult; onDone(): void }) {
  const [stored, setStored] = useState(false);
  return (
    <main className="auth-screen" data-testid="recovery-screen">
      <form className="auth-card form" onSubmit={(e) => { e.preventDefault(); if (stored) onDone(); }} aria-labelledby="recovery-title">
        <h1 id="recovery-title">Your recovery key</h1>
        <p>
          If every administrator password is lost{result.keychain ? ' or this computer’s keychain is reset' : ''}, only this key opens the encrypted studies and the audit trail.
          It is shown <strong>once</strong> and Enclave keeps no copy: print it or put it in your organisation’s password safe.
        </p>
        <pre className="recovery-key" data-testid="recovery-key" aria-label="Recovery key">{result.recoveryKey}</pre>
        {!result.keychain && <p className="hint">This computer has no system keychain: Enclave opens with a user’s password, or with this key.</p>}
        <label className="check"><input type="checkbox" checked={stored} onChange={(e) => setStored(e.target.checked)} data-testid="recovery-stored" autoFocus /> I have stored the recovery key somewhere safe</label>
        <div className="actions">
          <button type="submit" disabled={!stored} data-testid="recovery-done">Continue</button>
        </div>
      </form>
    </main>
  );
}
