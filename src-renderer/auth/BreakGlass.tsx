// Emergency access: a user gives a reason and gets the right to see images for a limited time (main decides
// how long, alerts the administrators and audits start and stop). While it lasts a red banner says so on
// every screen, with when it ends and a way to end it now.
import { useState } from 'react';
import { call } from '../api';
import { Dialog } from '../views/Dialog';
import { useSession } from './authContext';
import { formatClock, messageOf } from './authText';

const REASON_MIN = 10;
const REASON_MAX = 500;

/** Main refuses control characters other than a new line; a pasted tab or escape is dropped here. */
function withoutControls(s: string): string {
  return [...s].filter((c) => c === '\n' || (c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f)).join('');
}

export function BreakGlassButton() {
  const session = useSession();
  const [open, setOpen] = useState(false);
  if (!session.mayCall('breakglass:start') || session.status.breakGlass) return null;
  return (
    <>
      <button type="button" className="danger" onClick={() => setOpen(true)} aria-haspopup="dialog" data-testid="breakglass-open">Emergency access…</button>
      {open && <BreakGlassDialog onClose={() => setOpen(false)} />}
    </>
  );
}

function BreakGlassDialog({ onClose }: { onClose(): void }) {
  const session = useSession();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const trimmed = reason.trim();
  const ok = trimmed.length >= REASON_MIN && trimmed.length <= REASON_MAX;

  const start = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!ok) return;
    try {
      session.update(await call('breakglass:start', { reason: trimmed }));
      onClose();
    } catch (err) {
      setError(messageOf(err, 'Emergency access could not be started.'));
    }
  };

  return (
    <Dialog title="Emergency access" onClose={onClose} testId="breakglass-dialog">
      <form className="form" onSubmit={(e) => void start(e)}>
        <p>Emergency access lets you see images your role does not normally allow, for a limited time. Administrators are alerted, and everything you open is recorded with your reason.</p>
        <label>Reason
          <textarea
            value={reason}
            onChange={(e) => setReason(withoutControls(e.target.value))}
            rows={3}
            maxLength={REASON_MAX}
            aria-describedby="breakglass-hint"
            data-testid="breakglass-reason"
            data-autofocus
            onKeyDown={(e) => {
              // Enter submits (Shift+Enter for a new line), as in every other form here.
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                e.currentTarget.form?.requestSubmit();
              }
            }}
          />
        </label>
        <p className="hint" id="breakglass-hint">At least {REASON_MIN} characters: the patient situation that needs it ({trimmed.length} so far).</p>
        {error && <p className="error" role="alert">{error}</p>}
        <div className="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="danger" disabled={!ok} data-testid="breakglass-start">Start emergency access</button>
        </div>
      </form>
    </Dialog>
  );
}

export function BreakGlassBanner({ until }: { until: number }) {
  const session = useSession();
  const [error, setError] = useState<string | null>(null);
  const stop = async () => {
    try {
      session.update(await call('breakglass:stop', {}));
    } catch (err) {
      setError(messageOf(err, 'Emergency access could not be stopped.'));
    }
  };
  return (
    <div className="breakglass-banner" role="alert" data-testid="breakglass-banner">
      <strong>Emergency access is on</strong>
      <span>until <time dateTime={new Date(until).toISOString()} data-testid="breakglass-until">{formatClock(until)}</time>. Everything you open is recorded, and administrators have been alerted.</span>
      {error && <span className="error">{error}</span>}
      <button type="button" onClick={() => void stop()} data-testid="breakglass-stop">End emergency access</button>
    </div>
  );
}
