// The session as the UI reads it: who is signed in and what main will allow now. The renderer only hides
// what the user cannot do; main refuses it anyway (FORBIDDEN, audited).
import { createContext, useContext } from 'react';
import { mayCall } from '../../src-shared/auth/channelRules';
import type { AuthStatus, Channel } from '../../src-shared/ipc/contract';

export interface Session {
  status: AuthStatus;
  /** Main's own rule table (channelRules.ts): whether it would run `channel` for this user now. */
  mayCall(channel: Channel): boolean;
  /** Takes a status main answered with (login, lock, break-glass...), so the UI follows at once. */
  update(status: AuthStatus): void;
  /** Asks main again (after the study cache was unlocked, say). */
  refresh(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside <AuthGate>');
  return session;
}

export function sessionOf(status: AuthStatus, update: (s: AuthStatus) => void, refresh: () => void): Session {
  return { status, mayCall: (c) => mayCall(c, status.permissions), update, refresh };
}
