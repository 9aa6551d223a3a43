// An administrator restricts a study (patient consent, a VIP, a member of staff) to named users or roles;
// nobody else sees it in lists or can open it. Nothing ticked means no restriction.
import { useEffect, useState } from 'react';
import { ROLES, ROLE_LABELS, type Role } from '../../src-shared/auth/permissions';
import type { UserSummary } from '../../src-shared/ipc/contract';
import { call } from '../api';
import { Dialog } from '../views/Dialog';
import { messageOf } from './authText';

function toggle<T>(list: readonly T[], item: T, on: boolean): T[] {
  return on ? [...new Set([...list, item])] : list.filter((x) => x !== item);
}

export function RestrictStudyDialog({ studyId, onClose, onSaved }: { studyId: string; onClose(): void; onSaved(): void }) {
  const [users, setUsers] = useState<UserSummary[] | null>(null);
  const [allowedUsers, setAllowedUsers] = useState<string[]>([]);
  const [allowedRoles, setAllowedRoles] = useState<Role[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    Promise.all([call('users:list', {}), call('studies:restriction', { studyId })]).then(([list, r]) => {
      setUsers(list);
      setAllowedUsers(r?.users ?? []);
      setAllowedRoles(r?.roles ?? []);
    }, (e: unknown) => setError(messageOf(e, 'The restriction could not be read.')));
  }, [studyId]);

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    try {
      await call('studies:restrict', { studyId, users: allowedUsers, roles: allowedRoles });
      onSaved();
      onClose();
    } catch (err) {
      setError(messageOf(err, 'The restriction could not be saved.'));
    }
  };
  const restricted = allowedUsers.length > 0 || allowedRoles.length > 0;

  return (
    <Dialog title="Restrict this study" onClose={onClose} testId="restrict-dialog">
      <form className="form" onSubmit={(e) => void save(e)}>
        <p>Only the users and roles ticked here will see this study or be able to open it. Attempts by anyone else are refused and reported to administrators.</p>
        {users && (
          <>
            <fieldset className="checks">
              <legend>Roles</legend>
              {ROLES.map((r) => (
                <label key={r} className="check"><input type="checkbox" checked={allowedRoles.includes(r)} onChange={(e) => setAllowedRoles(toggle(allowedRoles, r, e.target.checked))} data-testid="restrict-role" data-role={r} /> {ROLE_LABELS[r]}</label>
              ))}
            </fieldset>
            <fieldset className="checks">
              <legend>Users</legend>
              {users.map((u) => (
                <label key={u.userId} className="check"><input type="checkbox" checked={allowedUsers.includes(u.userId)} onChange={(e) => setAllowedUsers(toggle(allowedUsers, u.userId, e.target.checked))} data-testid="restrict-user" data-username={u.username} /> {u.displayName} ({u.username})</label>
              ))}
            </fieldset>
          </>
        )}
        <p className="hint" role="status">{restricted ? 'Restricted to what is ticked.' : 'Nothing ticked: the study is not restricted.'}</p>
        {error && <p className="error" role="alert">{error}</p>}
        <div className="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" disabled={!users} data-testid="restrict-save">Save</button>
        </div>
      </form>
    </Dialog>
  );
}
