// The whole app stands behind the session main keeps: first-run setup, sign-in, the lock screen, or the
// app itself. Main decides (idle lock, lifetime, break-glass expiry) and says so with 'auth:changed'; the
// gate follows. Signing out unmounts the app, so nothing it held (studies, images, measurements) survives
// into the next session; locking keeps the app mounted but the app drops its reading room (App.tsx).
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { AuthStatus } from '../../src-shared/ipc/contract';
import { call, subscribe } from '../api';
import { activityThrottle, messageOf } from './authText';
import { SessionContext, sessionOf, useSession } from './authContext';
import { BreakGlassBanner } from './BreakGlass';
import { LockScreen } from './LockScreen';
import { LoginScreen } from './LoginScreen';
import { MfaEnrolDialog } from './MfaEnrolDialog';
import { RecoveryKeyScreen, SetupScreen, type SetupResult } from './SetupScreen';
import './auth.css';

/** Main locks after minutes of no input; telling it twice a minute is plenty. */
export const ACTIVITY_REPORT_MS = 30_000;
const ACTIVITY_EVENTS = ['keydown', 'mousedown', 'pointerdown', 'wheel'] as const;

export function AuthGate({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<AuthStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** First run: the recovery key stays on screen until acknowledged, whatever main says meanwhile. */
  const [setup, setSetup] = useState<SetupResult | null>(null);

  const refresh = useCallback(() => {
    call('auth:status', {}).then((s) => { setStatus(s); setError(null); }, (e: unknown) => setError(messageOf(e, 'Enclave could not tell who is signed in.')));
  }, []);
  useEffect(() => {
    refresh();
    return subscribe('auth:changed', setStatus);
  }, [refresh]);

  const state = status?.state;
  useEffect(() => {
    if (state !== 'active') return;
    const report = activityThrottle(() => void call('auth:activity', {}).catch(() => undefined), ACTIVITY_REPORT_MS);
    for (const name of ACTIVITY_EVENTS) window.addEventListener(name, report, { capture: true, passive: true });
    return () => {
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, report, { capture: true });
    };
  }, [state]);

  const session = useMemo(() => (status ? sessionOf(status, setStatus, refresh) : null), [status, refresh]);

  if (setup) return <RecoveryKeyScreen result={setup} onDone={() => { setStatus(setup.status); setSetup(null); }} />;
  if (error && !status) {
    return (
      <main className="auth-screen" data-testid="auth-error">
        <section className="auth-card">
          <h1>Enclave</h1>
          <p className="error" role="alert">{error}</p>
          <button type="button" onClick={refresh}>Try again</button>
        </section>
      </main>
    );
  }
  if (!status || !session) return <main className="auth-screen"><p className="auth-wait">Starting…</p></main>;
  if (status.state === 'setup') return <SetupScreen onCreated={(r) => (r.recoveryKey ? setSetup(r) : setStatus(r.status))} />;
  if (status.state === 'login') return <LoginScreen reason={status.reason} onSignedIn={setStatus} />;

  // The policy wants a second factor for this role and the user has none yet: main grants nothing until it is set up.
  if (status.state === 'active' && status.mfaRequired && status.user && !status.user.mfaEnrolled) {
    return <SessionContext.Provider value={session}><MfaRequiredScreen /></SessionContext.Provider>;
  }

  // active, locked, or unavailable (the app's store gate explains why the cache cannot open).
  return (
    <SessionContext.Provider value={session}>
      <div className="session-frame" data-testid="session" data-state={status.state}>
        {status.state === 'active' && status.breakGlass && <BreakGlassBanner until={status.breakGlass.until} />}
        {children}
      </div>
      {status.state === 'locked' && status.user && <LockScreen user={status.user} reason={status.reason} mfaRequired={status.mfaRequired} onUnlocked={setStatus} />}
    </SessionContext.Provider>
  );
}

function MfaRequiredScreen() {
  const session = useSession();
  const [open, setOpen] = useState(true);
  const signOut = () => void call('auth:logout', {}).then(session.update, () => undefined);
  return (
    <main className="auth-screen" data-testid="mfa-required">
      <section className="auth-card form">
        <h1>Set up two-step sign-in</h1>
        <p>Your organisation requires a code from an authenticator app, as well as your password, for your role. Set it up now to go on.</p>
        <div className="actions">
          <button type="button" onClick={signOut}>Sign out</button>
          <button type="button" onClick={() => setOpen(true)} autoFocus>Set up now</button>
        </div>
      </section>
      {open && <MfaEnrolDialog onClose={() => setOpen(false)} />}
    </main>
  );
}
