// The settings screen: every setting the machine policy governs, with a lock and "Set by your organisation"
// where IT set it, and beside them the network state: which kinds of connection the policy allows and how
// many connection attempts the app has made since start (0 on a default install). A modal dialog: focus
// moves into it, Tab stays inside, Escape closes it and focus returns to where it was.
import { useEffect, useState } from 'react';
import type { SettingsStatus } from '../../src-shared/ipc/settingsStatus';
import { ApiError, call } from '../api';
import { allowedConnectionsText, attemptsText, lastCheckText, policySummary, refusalText, settingGroups } from './settingsRows';
import { useModal } from './useModal';
import './settingsPanel.css';

function LockIcon() {
  return (
    <svg className="lock-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      <path d="M4.5 7V5a3.5 3.5 0 0 1 7 0v2" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <rect x="2.5" y="7" width="11" height="8" rx="1.5" fill="currentColor" />
    </svg>
  );
}

export function SettingsPanel({ onClose }: { onClose: () => void }) {
  const [status, setStatus] = useState<SettingsStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { ref: dialog, onKeyDown } = useModal<HTMLDivElement>(onClose);

  useEffect(() => {
    void call('settings:status', {}).then(setStatus, (e: unknown) => setError(e instanceof ApiError ? e.message : 'The settings could not be read.'));
  }, []);

  return (
    <div className="settings-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div ref={dialog} className="settings-panel" role="dialog" aria-modal="true" aria-labelledby="settings-title" data-testid="settings-panel" onKeyDown={onKeyDown}>
        <header className="settings-head">
          <h2 id="settings-title">Settings</h2>
          <button type="button" onClick={onClose} data-testid="settings-close" data-autofocus>Close</button>
        </header>
        {/* Focusable so the keyboard can scroll it. */}
        <div className="settings-body" tabIndex={0} aria-label="Settings and network state">
          {error && <p className="error" role="alert">{error}</p>}
          {!status && !error && <p>Reading settings…</p>}
          {status && (
            <>
              <p data-testid="settings-policy-summary">{policySummary(status.policy)}</p>
              {status.policy.problems.length > 0 && (
                <ul className="settings-problems" role="alert" data-testid="settings-policy-problems">
                  {status.policy.problems.map((p) => <li key={p}>{p}</li>)}
                </ul>
              )}
              <section aria-labelledby="settings-network" className="settings-network">
                <h3 id="settings-network">Network</h3>
                <dl>
                  <dt>Connections your organisation allows</dt>
                  <dd data-testid="settings-allowed">{allowedConnectionsText(status.network.allowedKinds)}</dd>
                  <dt>Connection attempts</dt>
                  <dd data-testid="settings-attempts">{attemptsText(status.network.attempts)}</dd>
                  <dt>Last update check</dt>
                  <dd data-testid="settings-last-check">{lastCheckText(status.updates)}</dd>
                  {status.network.lastRefusals.length > 0 && (
                    <>
                      <dt>Refused since start</dt>
                      <dd data-testid="settings-refusals">{status.network.lastRefusals.map((r) => refusalText(r)).join('; ')}</dd>
                    </>
                  )}
                </dl>
              </section>
              {settingGroups(status).map((g) => (
                <section key={g.title} aria-label={g.title}>
                  <h3>{g.title}</h3>
                  <table className="settings-table">
                    <tbody>
                      {g.rows.map((r) => (
                        <tr key={r.key} data-testid="setting-row" data-key={r.key} data-locked={r.locked}>
                          <th scope="row">{r.label}</th>
                          <td className="setting-value">{r.value}</td>
                          <td className="setting-lock">{r.locked && <><LockIcon /> Set by your organisation</>}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </section>
              ))}
              <p className="settings-source">Policy source: {status.policy.source}</p>
            </>
          )}
        </div>
      </div>
    </div>
  );
}
