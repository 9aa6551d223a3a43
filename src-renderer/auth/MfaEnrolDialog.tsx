// Two-step sign-in: main makes a TOTP secret and draws its QR code locally; the user scans it (or types
// the secret), proves it with one code, and gets single-use recovery codes shown once. The QR code is
// SVG text from main: it is shown as an image (data: URL), never parsed into the page.
import { useEffect, useState } from 'react';
import type { MfaEnrolment } from '../../src-shared/ipc/contract';
import { call } from '../api';
import { Dialog } from '../views/Dialog';
import { useSession } from './authContext';
import { messageOf, svgDataUrl, TOTP_PATTERN } from './authText';

/** "JBSW Y3DP EHPK 3PXP": the secret in groups of four, easier to type by hand. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

export function MfaEnrolDialog({ onClose }: { onClose(): void }) {
  const session = useSession();
  const [enrolment, setEnrolment] = useState<MfaEnrolment | null>(null);
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    call('mfa:begin', {}).then(setEnrolment, (e: unknown) => setError(messageOf(e, 'Two-step sign-in could not be started.')));
  }, []);

  const confirm = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!TOTP_PATTERN.test(code)) return;
    try {
      const r = await call('mfa:confirm', { code });
      setCodes(r.recoveryCodes);
      setError(null);
    } catch (err) {
      setError(messageOf(err, 'That code was not accepted.'));
      setCode('');
    }
  };
  const finish = () => {
    session.refresh();
    onClose();
  };

  return (
    <Dialog title="Two-step sign-in" onClose={codes ? finish : onClose} testId="mfa-dialog">
      {codes ? (
        <div className="form">
          <p>Two-step sign-in is on. If you lose your phone, each of these recovery codes signs you in once. They are shown <strong>once</strong>: print them or store them safely.</p>
          <ul className="recovery-codes" data-testid="mfa-recovery-codes">{codes.map((c) => <li key={c}><code>{c}</code></li>)}</ul>
          <div className="actions"><button type="button" onClick={finish} data-testid="mfa-done" autoFocus>I have stored the codes</button></div>
        </div>
      ) : (
        <form className="form" onSubmit={(e) => void confirm(e)}>
          {!enrolment && !error && <p>Preparing…</p>}
          {enrolment && (
            <>
              <p>Scan this code with an authenticator app (any app that supports time-based codes), then type the six digits it shows.</p>
              <img className="mfa-qr" src={svgDataUrl(enrolment.qrSvg)} alt="QR code for your authenticator app" width={200} height={200} data-testid="mfa-qr" />
              <p className="hint">Cannot scan? Enter this key in the app instead:</p>
              <code className="mfa-secret" data-testid="mfa-secret" data-secret={enrolment.secret}>{grouped(enrolment.secret)}</code>
              <label>Code from the app
                <input value={code} onChange={(e) => setCode(e.target.value.replace(/\D/g, '').slice(0, 6))} inputMode="numeric" autoComplete="one-time-code" data-testid="mfa-code" autoFocus />
              </label>
            </>
          )}
          {error && <p className="error" role="alert">{error}</p>}
          <div className="actions">
            <button type="button" onClick={onClose}>Cancel</button>
            <button type="submit" disabled={!enrolment || !TOTP_PATTERN.test(code)} data-testid="mfa-confirm">Turn on</button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
