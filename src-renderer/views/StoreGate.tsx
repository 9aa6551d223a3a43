// The encrypted cache's front door: create it (recovery key shown exactly once), unlock it with the
// recovery key when the keychain cannot, or say plainly what is wrong. Quick view works in any state,
// so the panel can be put aside (it would cover the image) and brought back from a corner button.
import { useEffect, useState } from 'react';
import type { StoreStatus } from '../../src-shared/ipc/contract';
import { ApiError, call } from '../api';

export function StoreGate({ onOpen }: { onOpen: () => void }) {
  const [status, setStatus] = useState<StoreStatus | null>(null);
  const [recoveryKey, setRecoveryKey] = useState<string | null>(null);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [aside, setAside] = useState(false);

  useEffect(() => {
    void call('store:status', {}).then(setStatus);
  }, []);

  if (!status) return null;
  if (status.state === 'open' && !recoveryKey) return null;
  // The recovery key is never put aside: it is shown once and must be acknowledged.
  if (aside && !recoveryKey) {
    return <button type="button" className="gate-reopen" onClick={() => setAside(false)} data-testid="store-gate-reopen">Study cache…</button>;
  }
  const notNow = <button type="button" onClick={() => setAside(true)} data-testid="store-gate-dismiss">Not now</button>;

  const create = async () => {
    setError(null);
    try {
      const created = await call('store:init', {});
      setRecoveryKey(created.recoveryKey);
      setStatus({ state: 'open' });
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'The study cache could not be created.');
    }
  };
  const unlock = async () => {
    setError(null);
    try {
      const next = await call('store:unlock', { recoveryKey: typed.trim() });
      setTyped('');
      setStatus(next);
      if (next.state === 'open') onOpen();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'The study cache could not be unlocked.');
    }
  };

  return (
    <div className="gate" data-testid="store-gate">
      {recoveryKey ? (
        <section>
          <h2>Your recovery key</h2>
          <p>Enclave encrypts every study it keeps. If this computer's keychain is ever unavailable, only this key opens the cache. It is shown <strong>once</strong>: print it or store it in your organisation's password safe.</p>
          <pre className="recovery-key" data-testid="recovery-key">{recoveryKey}</pre>
          <button type="button" onClick={() => { setRecoveryKey(null); onOpen(); }} data-testid="recovery-key-done">I have stored the recovery key</button>
        </section>
      ) : status.state === 'uninitialized' ? (
        <section>
          <h2>Set up the encrypted study cache</h2>
          <p>Studies you import are kept encrypted (AES-256) on this computer; the key is held in the system keychain.</p>
          <div className="actions">
            <button type="button" onClick={() => void create()} data-testid="store-create">Create the study cache</button>
            {notNow}
          </div>
        </section>
      ) : status.state === 'locked' ? (
        <section>
          <h2>The study cache is locked</h2>
          <p>{status.error.message}</p>
          <label>Recovery key <input type="password" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} data-testid="recovery-key-input" /></label>
          <div className="actions">
            <button type="button" onClick={() => void unlock()} disabled={typed.trim().length < 16} data-testid="store-unlock">Unlock</button>
            {notNow}
          </div>
        </section>
      ) : (
        <section>
          <h2>The study cache cannot be opened</h2>
          <p role="alert">{status.state === 'error' ? status.error.message : ''}</p>
          {notNow}
        </section>
      )}
      {error && <p className="error" role="alert">{error}</p>}
    </div>
  );
}
