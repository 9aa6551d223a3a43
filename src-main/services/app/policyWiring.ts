// The machine policy applied to the app, composed once at start-up (main.ts calls this; tests call it the
// same way): the network services started through the egress gate with an audit sink, the update
// schedule only when policy turns updates on, audit forwarding whenever the cache opens (when policy names a receiver), the cache's retention (policy wins over
// ENCLAVE_RETENTION_DAYS), the handlers policy forbids, the policy-change audit, and the settings screen.
import type { AuditEventInput } from '../../../src-shared/audit/auditEvents';
import { AppError } from '../../../src-shared/errors';
import type { Handlers } from '../ipc/dispatch';
import type { EgressAudit } from '../network/egress';
import type { NetworkServices } from '../network/networkServices';
import type { ForwardedStore } from '../network/syslog/syslogForwarding';
import type { VerifiedUpdate } from '../network/updates/updateService';
import { noPolicy, type LoadedPolicy } from '../policy/effectivePolicy';
import { policyAuditEvent } from '../policy/policyAudit';
import type { EffectivePolicy } from '../policy/policySchema';
import type { SettingsRows } from '../store/settingsRows';
import type { PacsApi } from './pacsHandlers';
import type { NetworkView } from './settingsStatus';

/** What createAppServices needs of the policy: what to refuse, and what the settings screen shows. */
export interface AppPolicy {
  loaded: LoadedPolicy;
  network: NetworkView | null;
  /** PACS query/retrieve (the network services' own); absent: no PACS channel answers. */
  pacs?: PacsApi | null;
}

/** No machine policy and no network services: the product defaults (tests, the browser harness). */
export function defaultAppPolicy(): AppPolicy {
  return { loaded: noPolicy('no machine policy'), network: null };
}

/** The handlers as policy allows them: a channel policy turns off answers PERMISSION_DENIED and does nothing. */
export function guardHandlers(handlers: Handlers, p: EffectivePolicy): Handlers {
  if (p.QuickViewAllowed) return handlers;
  return {
    ...handlers,
    'quickview:chooseFolder': async () => {
      throw new AppError('PERMISSION_DENIED', 'Quick view is turned off by your organisation.');
    },
  };
}

/** Days after which unopened studies are purged: the policy's CacheRetentionDays when set, else the environment's. */
export function retentionDays(policy: LoadedPolicy, envValue: string | undefined): number | undefined {
  if (policy.effective.CacheRetentionDays !== null) return policy.effective.CacheRetentionDays;
  const n = Number(envValue);
  return envValue !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
}

interface AuditTarget {
  record(event: AuditEventInput): unknown;
}

/** The most events kept while the store is locked; beyond that they are counted and the count is audited. */
const MAX_HELD = 1000;

/**
 * The audit sink of the network side. The audit trail lives in the encrypted store, which opens only when
 * the keychain or the user's recovery key unlocks it; the egress gate and an update check may run before
 * that. Their events wait here, in order, and are written when the store opens (with how long they waited).
 */
export class HeldAudit implements EgressAudit {
  private target: AuditTarget | null = null;
  private held: { event: AuditEventInput; at: number }[] = [];
  private dropped = 0;

  record(event: AuditEventInput): void {
    if (this.target) this.target.record(event);
    else if (this.held.length < MAX_HELD) this.held.push({ event, at: Date.now() });
    else this.dropped++;
  }

  /** Writes what was held to `target`, then writes through until `detach`. */
  attach(target: AuditTarget): void {
    const now = Date.now();
    for (const { event, at } of this.held) target.record({ ...event, detail: { ...event.detail, heldMs: now - at } });
    if (this.dropped > 0) target.record({ kind: 'securityAlert', action: 'E', outcome: 'minorFailure', user: 'system', detail: { auditEventsDropped: this.dropped } });
    this.held = [];
    this.dropped = 0;
    this.target = target;
  }

  detach(target: AuditTarget): void {
    if (this.target === target) this.target = null;
  }
}

/** What the wiring needs of an opened encrypted store (EncryptedStudyStore has it). */
export interface OpenedStore extends ForwardedStore {
  audit: AuditTarget & ForwardedStore['audit'];
  settings: Pick<SettingsRows, 'get' | 'set'>;
  onClose(f: () => Promise<void>): void;
}

/**
 * Audits the policy once per change: compares its digest with the one last audited in this store
 * (110113 Security Alert / 110129 Security Configuration). An untrusted policy is audited at every start.
 */
export function auditPolicyChange(store: Pick<OpenedStore, 'audit' | 'settings'>, policy: LoadedPolicy): boolean {
  const event = policyAuditEvent(policy, store.settings.get('policy.lastAuditedDigest'));
  if (!event) return false;
  // Event first: a crash between the two audits the change again at the next start rather than never.
  store.audit.record(event);
  store.settings.set('policy.lastAuditedDigest', policy.digest);
  return true;
}

export interface PolicyWiringOptions {
  policy: LoadedPolicy;
  /** ENCLAVE_RETENTION_DAYS as set: applies when the policy does not set CacheRetentionDays. */
  retentionEnv?: string | undefined;
  /** Starts the network services with this audit sink (platform/networkStartup in the app). */
  startNetwork(audit: EgressAudit): NetworkServices;
}

export interface PolicyWiring {
  policy: LoadedPolicy;
  network: NetworkServices;
  audit: HeldAudit;
  /** For StoreSession: purge studies not opened for this many days whenever the cache opens. */
  retentionDays: number | undefined;
  /** For StoreSession's onOpen: write the held audit events, audit a policy change once, start audit forwarding. */
  cacheOpened(store: OpenedStore): void;
  /** For createAppServices. */
  appPolicy: AppPolicy;
  /** Starts the update schedule only when policy turns updates on; true when it started. */
  startUpdates(): boolean;
  /** The verified, downloaded update to install as the app quits (policy: UpdatesAutoInstallOnQuit), or null. */
  updateToInstall(): VerifiedUpdate | null;
  stop(): void;
}

export function createPolicyWiring(o: PolicyWiringOptions): PolicyWiring {
  const audit = new HeldAudit();
  const network = o.startNetwork(audit);
  const retention = retentionDays(o.policy, o.retentionEnv);
  // The settings screen shows the retention that applies, wherever it was set.
  const shown: LoadedPolicy = { ...o.policy, effective: { ...o.policy.effective, CacheRetentionDays: retention ?? null } };
  return {
    policy: o.policy,
    network,
    audit,
    retentionDays: retention,
    cacheOpened(store) {
      audit.attach(store.audit);
      store.onClose(async () => audit.detach(store.audit));
      auditPolicyChange(store, o.policy);
      network.syslog?.attach(store);
    },
    appPolicy: { loaded: shown, network, pacs: network.pacs },
    startUpdates() {
      if (!o.policy.effective.UpdatesEnabled) return false;
      network.scheduler.start();
      return true;
    },
    updateToInstall: () => network.scheduler.installOnQuit(),
    stop: () => network.scheduler.stop(),
  };
}
