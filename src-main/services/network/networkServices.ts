// The network side of the app, composed once at start-up from the machine policy: the egress gate, the
// update service behind it, audit forwarding (only when policy names a syslog receiver), and the status the settings screen shows (which kinds of connection policy
// allows, how many attempts the gate has seen since start: 0 on a default install).
import type { LoadedPolicy } from '../policy/effectivePolicy';
import type { PolicyKey } from '../policy/policySchema';
import type { KeyStore } from '../keys/keyStore';
import { KeytarKeyStore } from '../keys/keytarKeyStore';
import { EgressGate, type EgressAudit, type EgressKind } from './egress';
import type { CredentialFileRules } from './syslog/syslogCredentials';
import { createSyslogForwarding, type SyslogForwarding } from './syslog/syslogForwarding';
import type { ForwarderTuning } from './syslog/syslogForwarder';
import { PACS_KEYCHAIN_SERVICE, PacsService } from './pacs/pacsService';
import { UpdateScheduler } from './updates/updateScheduler';
import { UpdateService, type InstallKind } from './updates/updateService';

export interface NetworkStatus {
  allowedKinds: EgressKind[];
  attempts: number;
  refused: number;
  policyStatus: LoadedPolicy['status'];
  lockedKeys: PolicyKey[];
  problems: string[];
}

export interface NetworkServices {
  gate: EgressGate;
  updates: UpdateService;
  /** start() at start-up: it does nothing while policy keeps updates off. */
  scheduler: UpdateScheduler;
  /** Audit forwarding over syslog/TLS; null unless policy names a receiver. Attached to the store when it opens. */
  syslog: SyslogForwarding | null;
  /** Query/retrieve from the nodes policy lists; enabled() is false (and nothing connects) when it lists none. */
  pacs: PacsService;
  status(): NetworkStatus;
}

export interface NetworkServicesOptions {
  policy: LoadedPolicy;
  audit: EgressAudit | null;
  /** assets/update/root.json as shipped. */
  trustedUpdateRoot: Uint8Array;
  /** Where update metadata and downloads are kept (inside the app's data folder). */
  updateStateDir: string;
  version: string;
  platform: string;
  installKind: InstallKind;
  /** Extra CA certificates the gate trusts (a hospital's internal CA; a test's throwaway CA with `caOnly`). */
  ca?: string[];
  caOnly?: boolean;
  /** Who may own the syslog credential files (tests: their own uid); default root only. */
  syslogCredentialRules?: CredentialFileRules;
  /** Syslog timeouts and backoff (tests shorten them). */
  syslogTuning?: Partial<ForwarderTuning>;
  /** Where PACS node secrets are read (default: the OS keychain, service "Enclave PACS"; read only when a node needs one). */
  pacsSecrets?: KeyStore;
}

export function createNetworkServices(o: NetworkServicesOptions): NetworkServices {
  const policy = () => o.policy.effective;
  const gate = new EgressGate({ policy, audit: o.audit, ...(o.ca ? { ca: o.ca, caOnly: o.caOnly ?? false } : {}) });
  const updates = new UpdateService({
    gate, policy, audit: o.audit, trustedRoot: o.trustedUpdateRoot, stateDir: o.updateStateDir,
    currentVersion: o.version, platform: o.platform, installKind: o.installKind,
  });
  const syslog = createSyslogForwarding({
    gate,
    policy: o.policy.effective,
    ...(o.syslogCredentialRules ? { credentialRules: o.syslogCredentialRules } : {}),
    ...(o.syslogTuning ? { tuning: o.syslogTuning } : {}),
  });
  return {
    gate,
    updates,
    syslog,
    scheduler: new UpdateScheduler(updates, policy),
    pacs: new PacsService({ gate, policy, secrets: o.pacsSecrets ?? new KeytarKeyStore(PACS_KEYCHAIN_SERVICE), audit: o.audit }),
    status: () => ({ allowedKinds: gate.allowedKinds(), ...gate.stats(), policyStatus: o.policy.status, lockedKeys: o.policy.locked, problems: o.policy.problems }),
  };
}
