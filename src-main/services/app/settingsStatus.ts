// The settings screen's data ('settings:status'): the loaded machine policy as the user may see it, and the
// network state from the egress gate and the update schedule. Read each time it is asked, so the count
// of connection attempts is the gate's own, not a copy.
import { SETTING_KEYS, type SettingKey, type SettingValue, type SettingsStatus } from '../../../src-shared/ipc/settingsStatus';
import { allowedEgressKinds, type EgressGate } from '../network/egress';
import type { UpdateScheduler } from '../network/updates/updateScheduler';
import type { LoadedPolicy } from '../policy/effectivePolicy';
import type { EffectivePolicy, PolicyKey } from '../policy/policySchema';

// The contract's key list is the policy schema's (src-shared cannot import main): a key added to one
// and not the other stops the build here.
type SameKeys = [PolicyKey] extends [SettingKey] ? ([SettingKey] extends [PolicyKey] ? true : false) : false;
const sameKeys: SameKeys = true;
void sameKeys;

export interface NetworkView {
  gate: Pick<EgressGate, 'stats' | 'allowedKinds' | 'recentRefusals'>;
  scheduler: Pick<UpdateScheduler, 'lastCheck' | 'lastCheckAt' | 'lastRefusal'>;
}

function shown(p: EffectivePolicy, key: SettingKey): SettingValue {
  // A PACS node is named by what IT recognises; its CA certificate is not the screen's business.
  // A C-MOVE listener is an inbound exposure: shown with the address and port it would open during a move.
  if (key === 'PacsNodes') {
    return p.PacsNodes.map((n) => {
      const parts = [n.host ? `${n.aeTitle} at ${n.host}:${n.port}` : '', n.dicomweb ? `DICOMweb at ${new URL(n.dicomweb.url).host}` : '', n.moveListener ? `C-MOVE to ${n.moveListener.aeTitle} on ${n.moveListener.bindAddress}:${n.moveListener.port}` : ''];
      return `${n.name} (${parts.filter(Boolean).join(', ')})`;
    });
  }
  return p[key];
}

function lastCheck(s: NetworkView['scheduler']): SettingsStatus['updates']['lastCheck'] {
  if (s.lastCheckAt === null) return null;
  const at = new Date(s.lastCheckAt).toISOString();
  if (s.lastRefusal) return { at, status: 'refused', reason: s.lastRefusal };
  if (!s.lastCheck) return null;
  return { at, status: s.lastCheck.status, ...('version' in s.lastCheck ? { version: s.lastCheck.version } : {}) };
}

/** `network` null: no network services were started (tests, the browser harness): nothing can have connected. */
export function settingsStatus(policy: LoadedPolicy, network: NetworkView | null): SettingsStatus {
  const p = policy.effective;
  const stats = network?.gate.stats() ?? { attempts: 0, refused: 0 };
  return {
    policy: {
      status: policy.status,
      source: policy.source,
      problems: [...policy.problems],
      locked: SETTING_KEYS.filter((k) => policy.locked.includes(k)),
      effective: Object.fromEntries(SETTING_KEYS.map((k) => [k, shown(p, k)])) as Record<SettingKey, SettingValue>,
    },
    network: {
      allowedKinds: network?.gate.allowedKinds() ?? allowedEgressKinds(p),
      attempts: stats.attempts,
      refused: stats.refused,
      lastRefusals: (network?.gate.recentRefusals() ?? []).map((r) => ({ kind: r.kind, reason: r.reason, at: new Date(r.at).toISOString() })),
    },
    updates: {
      enabled: p.UpdatesEnabled,
      channel: p.UpdatesChannel,
      lastCheck: network ? lastCheck(network.scheduler) : null,
    },
  };
}
