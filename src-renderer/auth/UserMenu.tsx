// The signed-in user's menu: lock now, sign out, change password, two-step sign-in. A disclosure menu:
// the button opens it, arrow keys move between items, Escape closes it and puts focus back on the button.
import { useEffect, useRef, useState } from 'react';
import { ROLE_LABELS } from '../../src-shared/auth/permissions';
import { call } from '../api';
import { useSession } from './authContext';
import { messageOf } from './authText';
import { ChangePasswordDialog } from './ChangePasswordDialog';
import { MfaEnrolDialog } from './MfaEnrolDialog';

type Open = 'menu' | 'password' | 'mfa' | null;

export function UserMenu() {
  const session = useSession();
  const [open, setOpen] = useState<Open>(null);
  const [error, setError] = useState<string | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLUListElement>(null);
  const user = session.status.user;

  useEffect(() => {
    if (open === 'menu') menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  }, [open]);
  useEffect(() => {
    if (open !== 'menu') return;
    const away = (e: MouseEvent) => {
      if (!menu.current?.contains(e.target as Node) && e.target !== button.current) setOpen(null);
    };
    window.addEventListener('mousedown', away);
    return () => window.removeEventListener('mousedown', away);
  }, [open]);
  if (!user) return null;

  const act = (channel: 'auth:lock' | 'auth:logout') => async () => {
    setOpen(null);
    try {
      session.update(await call(channel, {}));
    } catch (e) {
      setError(messageOf(e, 'That did not work.'));
    }
  };
  const onMenuKey = (e: React.KeyboardEvent) => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === 'Escape') {
      e.stopPropagation();
      setOpen(null);
      button.current?.focus();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      items[(at + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus();
    }
  };

  return (
    <div className="user-menu">
      <button ref={button} type="button" aria-haspopup="menu" aria-expanded={open === 'menu'} onClick={() => setOpen(open === 'menu' ? null : 'menu')} data-testid="user-menu" title={ROLE_LABELS[user.role]}>
        {user.displayName} <span className="hint">· {ROLE_LABELS[user.role]}</span>
      </button>
      {open === 'menu' && (
        <ul ref={menu} className="menu" role="menu" aria-label="Account" onKeyDown={onMenuKey}>
          <li role="none"><button type="button" role="menuitem" onClick={() => void act('auth:lock')()} data-testid="menu-lock">Lock now</button></li>
          <li role="none"><button type="button" role="menuitem" onClick={() => setOpen('password')} data-testid="menu-password">Change password…</button></li>
          <li role="none">
            <button type="button" role="menuitem" onClick={() => setOpen('mfa')} data-testid="menu-mfa">
              {user.mfaEnrolled ? 'Set up two-step sign-in again…' : 'Set up two-step sign-in…'}
            </button>
          </li>
          <li role="none"><button type="button" role="menuitem" onClick={() => void act('auth:logout')()} data-testid="menu-logout">Sign out</button></li>
        </ul>
      )}
      {error && <span className="error" role="alert">{error}</span>}
      {open === 'password' && <ChangePasswordDialog onClose={() => setOpen(null)} />}
      {open === 'mfa' && <MfaEnrolDialog onClose={() => setOpen(null)} />}
    </div>
  );
}
