// Audit forwarding as the app composes it: exists only when policy names a receiver (AuditSyslogTarget, with the
// client certificate and key files applyPolicy requires beside it). Each time the encrypted store opens, a
// forwarder starts over that store's outbox; when the store closes it gets a short while to send the stop event
// and the last checkpoint, and whatever is still waiting goes out at the next start.
import type { AtnaSource } from '../../audit/atnaXml';
import type { AuditService } from '../../audit/auditService';
import type { Db } from '../../db/database';
import type { EffectivePolicy } from '../../policy/policySchema';
import type { EgressGate } from '../egress';
import { AuditOutbox, DEFAULT_MAX_UNSENT } from './auditOutbox';
import { DEFAULT_CREDENTIAL_RULES, loadSyslogCredentials, type CredentialFileRules } from './syslogCredentials';
import { SyslogForwarder, type ForwarderStatus, type ForwarderTuning } from './syslogForwarder';
import type { SyslogHeader } from './syslogMessage';
import { parseSyslogTarget, type SyslogTarget } from './syslogTarget';

/** What forwarding needs of an open store (EncryptedStudyStore has it). */
export interface ForwardedStore {
  audit: Pick<AuditService, 'list' | 'record' | 'onAppended'>;
  database: Db;
  onBeforeClose(f: () => Promise<void>): void;
}

export interface SyslogForwarding {
  target: SyslogTarget;
  /** Starts forwarding the trail of a store that has just opened; it stops when the store closes. */
  attach(store: ForwardedStore): SyslogForwarder;
  /** The forwarder of the open store, or null. */
  current(): SyslogForwarder | null;
  status(): ForwarderStatus | null;
}

export interface SyslogForwardingOptions {
  gate: EgressGate;
  policy: EffectivePolicy;
  credentialRules?: CredentialFileRules;
  tuning?: Partial<ForwarderTuning>;
  maxUnsent?: number;
  header?: SyslogHeader;
  source?: AtnaSource;
  /** How long closing the store waits for the last messages (default 2 s). */
  drainAtCloseMs?: number;
}

/** null when policy names no receiver: nothing is queued, nothing connects. */
export function createSyslogForwarding(o: SyslogForwardingOptions): SyslogForwarding | null {
  const target = parseSyslogTarget(o.policy.AuditSyslogTarget);
  if (!target) return null;
  let current: SyslogForwarder | null = null;
  return {
    target,
    attach(store) {
      const forwarder = new SyslogForwarder({
        gate: o.gate,
        target,
        credentials: () => loadSyslogCredentials(o.policy, o.credentialRules ?? DEFAULT_CREDENTIAL_RULES),
        outbox: new AuditOutbox(store.database, o.maxUnsent ?? DEFAULT_MAX_UNSENT),
        audit: store.audit,
        ...(o.tuning ? { tuning: o.tuning } : {}),
        ...(o.header ? { header: o.header } : {}),
        ...(o.source ? { source: o.source } : {}),
      });
      current = forwarder;
      store.onBeforeClose(async () => {
        await forwarder.stop({ drainMs: o.drainAtCloseMs ?? 2_000 });
        if (current === forwarder) current = null;
      });
      forwarder.start();
      return forwarder;
    },
    current: () => current,
    status: () => current?.status() ?? null,
  };
}
