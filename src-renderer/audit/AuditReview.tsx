// The audit review for auditors and administrators: filters (user, patient, study, event, outcome, time)
// over the trail main keeps, a page of entries at a time, "Verify trail" (the hash chain and the signed
// checkpoint checked again by main), and the alerts raised for administrators. Opening it is itself
// audited by main (Audit Log Used, 110101).
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { AdminAlert, AuditQueryResult, Responses } from '../../src-shared/ipc/contract';
import { call } from '../api';
import { formatTimestamp, messageOf } from '../auth/authText';
import { useModal } from '../views/useModal';
import { auditQueryOf, auditRowOf, EVENT_OPTIONS, NO_FILTERS, OUTCOME_LABELS, type AuditFilters } from './auditRows';
import './audit.css';

const PAGE = 50;
const ALERTS = 50;

function verifyText(v: Responses['audit:verify']): string {
  if (v.ok) return `The trail is intact: ${v.entries.toLocaleString()} entries, every hash and the signed checkpoint match.`;
  return v.firstBad
    ? `The trail is broken at entry ${v.firstBad.seq} (${v.firstBad.code}). Administrators have been alerted.`
    : `The trail does not verify (${v.entries.toLocaleString()} entries). Administrators have been alerted.`;
}

export function AuditReview({ onClose }: { onClose(): void }) {
  const { ref, onKeyDown } = useModal<HTMLElement>(onClose);
  const [form, setForm] = useState<AuditFilters>(NO_FILTERS);
  const [applied, setApplied] = useState<AuditFilters>(NO_FILTERS);
  const [offset, setOffset] = useState(0);
  const [result, setResult] = useState<AuditQueryResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [verify, setVerify] = useState<{ busy: boolean; text?: string; ok?: boolean }>({ busy: false });
  const [alerts, setAlerts] = useState<AdminAlert[] | null>(null);

  const query = useMemo(() => auditQueryOf(applied, PAGE, offset), [applied, offset]);
  useEffect(() => {
    if ('invalid' in query) {
      setError(query.invalid);
      return;
    }
    let live = true;
    call('audit:query', query).then((r) => {
      if (!live) return;
      setResult(r);
      setError(null);
    }, (e: unknown) => live && setError(messageOf(e, 'The audit trail could not be read.')));
    return () => {
      live = false;
    };
  }, [query]);
  useEffect(() => {
    call('audit:alerts', { limit: ALERTS }).then(setAlerts, () => setAlerts(null));
  }, []);

  const set = (k: keyof AuditFilters) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setForm((f) => ({ ...f, [k]: e.target.value }));
  const apply = (e: React.FormEvent) => {
    e.preventDefault();
    setApplied(form);
    setOffset(0);
  };
  const runVerify = useCallback(async () => {
    setVerify({ busy: true });
    try {
      const v = await call('audit:verify', {});
      setVerify({ busy: false, text: verifyText(v), ok: v.ok });
    } catch (e) {
      setVerify({ busy: false, text: messageOf(e, 'The trail could not be verified.'), ok: false });
    }
  }, []);

  const rows = result?.entries.map(auditRowOf) ?? [];
  const total = result?.total ?? 0;

  return (
    <section ref={ref} className="audit-review" role="dialog" aria-modal="true" aria-labelledby="audit-title" data-testid="audit-review" onKeyDown={onKeyDown}>
      <header className="audit-head">
        <h2 id="audit-title">Audit trail</h2>
        <button type="button" onClick={() => void runVerify()} disabled={verify.busy} data-testid="audit-verify">{verify.busy ? 'Verifying…' : 'Verify trail'}</button>
        {verify.text && <span className={verify.ok ? 'audit-ok' : 'error'} role="status" data-testid="audit-verify-result">{verify.text}</span>}
        <button type="button" className="audit-close" onClick={onClose} data-testid="audit-close">Close</button>
      </header>
      <form className="audit-filters" onSubmit={apply} role="search" aria-label="Filter the audit trail">
        <label>User <input value={form.user} onChange={set('user')} maxLength={128} spellCheck={false} data-testid="audit-user" data-autofocus /></label>
        <label>Patient (ID or name) <input value={form.patient} onChange={set('patient')} maxLength={128} spellCheck={false} data-testid="audit-patient" /></label>
        <label>Study (UID) <input value={form.study} onChange={set('study')} maxLength={128} spellCheck={false} data-testid="audit-study" /></label>
        <label>Event
          <select value={form.event} onChange={set('event')} data-testid="audit-event">
            <option value="">Any event</option>
            {EVENT_OPTIONS.map((o) => <option key={o.code} value={o.code}>{o.label}</option>)}
          </select>
        </label>
        <label>Outcome
          <select value={form.outcome} onChange={set('outcome')} data-testid="audit-outcome">
            <option value="">Any outcome</option>
            {Object.entries(OUTCOME_LABELS).map(([v, l]) => <option key={v} value={v}>{l}</option>)}
          </select>
        </label>
        <label>From <input type="datetime-local" value={form.from} onChange={set('from')} data-testid="audit-from" /></label>
        <label>To <input type="datetime-local" value={form.to} onChange={set('to')} data-testid="audit-to" /></label>
        <div className="audit-filter-actions">
          <button type="submit" data-testid="audit-search">Search</button>
          <button type="button" onClick={() => { setForm(NO_FILTERS); setApplied(NO_FILTERS); setOffset(0); }}>Clear</button>
        </div>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="audit-pager">
        <span data-testid="audit-count" aria-live="polite">{result ? (total === 0 ? 'No entry matches.' : `${offset + 1}–${Math.min(offset + PAGE, total)} of ${total.toLocaleString()} entries`) : 'Reading…'}</span>
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))} data-testid="audit-prev">Newer</button>
        <button type="button" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)} data-testid="audit-next">Older</button>
      </div>
      <div className="audit-table-wrap" tabIndex={0} aria-label="Audit entries">
        <table className="data-table audit-table" data-testid="audit-table">
          <thead><tr><th scope="col">Time</th><th scope="col">Event</th><th scope="col">Outcome</th><th scope="col">User</th><th scope="col">Patient</th><th scope="col">Study</th><th scope="col">Detail</th></tr></thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={r.seq} className={r.failed ? 'failed' : undefined} data-testid="audit-row" data-event={result!.entries[i]!.eventId} data-user={result!.entries[i]!.userId}>
                <td className="nowrap">{r.time}</td><td>{r.event}</td><td>{r.outcome}</td><td>{r.user}</td><td>{r.patient}</td><td className="uid">{r.study}</td><td>{r.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {alerts && (
        <section className="audit-alerts" aria-labelledby="audit-alerts-title" data-testid="audit-alerts">
          <h3 id="audit-alerts-title">Alerts for administrators</h3>
          {alerts.length === 0 ? <p className="hint">No alerts.</p> : (
            <ul>{alerts.map((a) => <li key={a.seq} data-kind={a.kind}><span className="nowrap">{formatTimestamp(a.time)}</span> {a.summary}</li>)}</ul>
          )}
        </section>
      )}
    </section>
  );
}
