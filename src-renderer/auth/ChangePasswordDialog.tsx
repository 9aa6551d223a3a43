// Changing one's own password: main checks the current one and re-wraps the data key with the new one.
import { useState } from 'react';
import { call } from '../api';
import { Dialog } from '../views/Dialog';
import { messageOf, passwordProblem } from './authText';
import { PasswordFields } from './PasswordFields';

export function ChangePasswordDialog({ onClose }: { onClose(): void }) {
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [repeated, setRepeated] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const ready = current !== '' && passwordProblem(password, repeated) === null;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    try {
      await call('auth:changePassword', { currentPassword: current, newPassword: password });
      setCurrent('');
      setPassword('');
      setRepeated('');
      setDone(true);
    } catch (err) {
      setError(messageOf(err, 'The password could not be changed.'));
    }
  };

  return (
    <Dialog title="Change password" onClose={onClose} testId="password-dialog">
      {done ? (
        <div className="form">
          <p role="status" data-testid="password-changed">Your password was changed. Use it the next time you sign in or unlock.</p>
          <div className="actions"><button type="button" onClick={onClose} autoFocus>Done</button></div>
        </div>
      ) : (
        <form className="form" onSubmit={(e) => void submit(e)}>
          <label>Current password <input type="password" value={current} onChange={(e) => setCurrent(e.target.value)} autoComplete="current-password" data-testid="password-current" data-autofocus /></label>
          <PasswordFields password={password} repeated={repeated} onPassword={setPassword} onRepeated={setRepeated} testId="password-new" label="New password" />
          {error && <p className="error" role="alert">{error}</p>}
          <div className="actions">
            <button type="button" onClick={onClose}>Cancel</button>
            <button type="submit" disabled={!ready} data-testid="password-submit">Change password</button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
