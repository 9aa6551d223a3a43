// Administrators manage the accounts: add one (with its role and a first password), change a role,
// disable or enable, unlock after failed sign-ins, reset a password or two-step sign-in, remove (asked
// twice). Main audits each change (Security Alert 110136/110137) and refuses what the role may not do.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ROLES, ROLE_LABELS, type Role } from '../../src-shared/auth/permissions';
import type { UserSummary } from '../../src-shared/ipc/contract';
import { call } from '../api';
import { Dialog } from '../views/Dialog';
import { useSession } from './authContext';
import { formatClock, messageOf, passwordProblem, USERNAME_PATTERN } from './authText';
import { PasswordFields } from './PasswordFields';

function stateOf(u: UserSummary, now: number): string {
  if (u.disabled) return 'Disabled';
  if (u.lockedUntil !== null && u.lockedUntil > now) return `Locked until ${formatClock(u.lockedUntil, now)}`;
  if (u.failedLogins > 0) return `${u.failedLogins} failed sign-in${u.failedLogins === 1 ? '' : 's'}`;
  return 'Active';
}

function RoleSelect({ value, onChange, label, testId }: { value: Role; onChange(r: Role): void; label: string; testId: string }) {
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value as Role)} data-testid={testId}>
      {ROLES.map((r) => <option key={r} value={r}>{ROLE_LABELS[r]}</option>)}
    </select>
  );
}

function NewUserForm({ onCreated }: { onCreated(username: string): void }) {
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('radiologist');
  const [password, setPassword] = useState('');
  const [repeated, setRepeated] = useState('');
  const [error, setError] = useState<string | null>(null);
  const first = useRef<HTMLInputElement>(null);
  const ready = USERNAME_PATTERN.test(username) && displayName.trim() !== '' && passwordProblem(password, repeated) === null;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    try {
      await call('users:create', { username, displayName: displayName.trim(), role, password });
      setUsername('');
      setDisplayName('');
      setPassword('');
      setRepeated('');
      setError(null);
      onCreated(username);
      // The submit button is disabled now that the form is empty: the keyboard goes on from the first field.
      first.current?.focus();
    } catch (err) {
      setError(messageOf(err, 'The user could not be added.'));
    }
  };

  return (
    <form className="form user-new" onSubmit={(e) => void submit(e)} aria-labelledby="user-new-title" data-testid="user-new">
      <h3 id="user-new-title">Add a user</h3>
      <label>User name <input ref={first} value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" spellCheck={false} maxLength={64} data-testid="user-new-username" /></label>
      <label>Full name <input value={displayName} onChange={(e) => setDisplayName(e.target.value)} autoComplete="off" maxLength={128} data-testid="user-new-display-name" /></label>
      <label>Role <RoleSelect value={role} onChange={setRole} label="Role" testId="user-new-role" /></label>
      <PasswordFields password={password} repeated={repeated} onPassword={setPassword} onRepeated={setRepeated} testId="user-new" label="First password" />
      {error && <p className="error" role="alert">{error}</p>}
      <div className="actions"><button type="submit" disabled={!ready} data-testid="user-new-submit">Add user</button></div>
    </form>
  );
}

function ResetPasswordForm({ user, onDone }: { user: UserSummary; onDone(message: string | null): void }) {
  const [password, setPassword] = useState('');
  const [repeated, setRepeated] = useState('');
  const ready = passwordProblem(password, repeated) === null;
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    try {
      await call('users:resetPassword', { userId: user.userId, password });
      onDone(`${user.username}: password reset.`);
    } catch (err) {
      onDone(messageOf(err, 'The password could not be reset.'));
    }
  };
  return (
    <form className="form user-reset" onSubmit={(e) => void submit(e)} aria-label={`New password for ${user.username}`}>
      <PasswordFields password={password} repeated={repeated} onPassword={setPassword} onRepeated={setRepeated} testId="user-reset" label="New password" />
      <div className="actions">
        <button type="button" onClick={() => onDone(null)}>Cancel</button>
        <button type="submit" disabled={!ready} data-testid="user-reset-submit">Set password</button>
      </div>
    </form>
  );
}

export function UserManagement({ onClose }: { onClose(): void }) {
  const session = useSession();
  const [users, setUsers] = useState<UserSummary[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [resetting, setResetting] = useState<string | null>(null);
  const [armed, setArmed] = useState<string | null>(null);
  const now = Date.now();

  const reload = useCallback(() => {
    call('users:list', {}).then(setUsers, (e: unknown) => setMessage(messageOf(e, 'The users could not be listed.')));
  }, []);
  useEffect(reload, [reload]);

  /** One change to one user, then the list again (main's answer is the truth). */
  const change = async (what: string, run: () => Promise<unknown>) => {
    setArmed(null);
    try {
      await run();
      setMessage(what);
    } catch (e) {
      setMessage(messageOf(e, 'That change was refused.'));
    }
    reload();
  };

  return (
    <Dialog title="Users" onClose={onClose} testId="users-dialog" wide>
      {message && <p className="status-line" role="status" data-testid="users-message">{message}</p>}
      {!users && <p>Reading users…</p>}
      {users && (
        <table className="data-table users-table" data-testid="users-table">
          <thead><tr><th scope="col">User</th><th scope="col">Role</th><th scope="col">State</th><th scope="col">Two-step</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {users.map((u) => {
              const self = u.userId === session.status.user?.userId;
              return (
                <tr key={u.userId} data-testid="user-row" data-username={u.username}>
                  <th scope="row">{u.displayName}<br /><span className="hint">{u.username}{self ? ' (you)' : ''}</span></th>
                  <td><RoleSelect value={u.role} label={`Role of ${u.username}`} testId="user-role" onChange={(role) => void change(`${u.username} is now ${ROLE_LABELS[role]}.`, () => call('users:update', { userId: u.userId, role }))} /></td>
                  <td>{stateOf(u, now)}</td>
                  <td>{u.mfaEnrolled ? 'On' : 'Off'}</td>
                  <td className="row-actions">
                    <button type="button" onClick={() => void change(`${u.username} ${u.disabled ? 'enabled' : 'disabled'}.`, () => call('users:update', { userId: u.userId, disabled: !u.disabled }))} disabled={self} data-testid="user-disable">{u.disabled ? 'Enable' : 'Disable'}</button>
                    {(u.lockedUntil !== null || u.failedLogins > 0) && <button type="button" onClick={() => void change(`${u.username} unlocked.`, () => call('users:unlock', { userId: u.userId }))} data-testid="user-unlock">Unlock</button>}
                    <button type="button" onClick={() => setResetting(resetting === u.userId ? null : u.userId)} aria-expanded={resetting === u.userId} data-testid="user-reset-password">Reset password…</button>
                    {u.mfaEnrolled && <button type="button" onClick={() => void change(`${u.username}: two-step sign-in reset; they set it up again at their next sign-in.`, () => call('users:resetMfa', { userId: u.userId }))} data-testid="user-reset-mfa">Reset two-step</button>}
                    <button
                      type="button"
                      className="danger"
                      disabled={self}
                      onClick={() => (armed === u.userId ? void change(`${u.username} removed.`, () => call('users:remove', { userId: u.userId })) : setArmed(u.userId))}
                      onBlur={() => setArmed((a) => (a === u.userId ? null : a))}
                      data-testid="user-remove"
                    >
                      {armed === u.userId ? 'Click again to remove' : 'Remove…'}
                    </button>
                    {resetting === u.userId && <ResetPasswordForm user={u} onDone={(m) => { setResetting(null); if (m) setMessage(m); reload(); }} />}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <NewUserForm onCreated={(name) => { setMessage(`${name} added.`); reload(); }} />
    </Dialog>
  );
}
