// From whatever a platform source produced (parsed JSON, plist values, registry values) to the settings
// that apply: validated, merged over the defaults, with the keys the policy locks. Never throws: a policy
// that cannot be trusted gives LOCKED_DOWN_POLICY and says why, so the app starts and IT sees the reason.
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { LOCKED_DOWN_POLICY, POLICY_DEFAULTS, POLICY_KEYS, policySchema, type EffectivePolicy, type PolicyKey } from './policySchema';

export type PolicyStatus =
  /** No machine policy exists: the product defaults apply (no network). */
  | 'none'
  /** A policy was read, validated and applied; its keys are locked. */
  | 'applied'
  /** A policy exists but its file may be changed by a non-administrator: not read, locked down. */
  | 'refused'
  /** A policy exists but does not parse or validate: locked down. */
  | 'malformed';

export interface LoadedPolicy {
  status: PolicyStatus;
  /** Where it came from (a path or a registry key), for IT; never user data. */
  source: string;
  effective: EffectivePolicy;
  /** Keys set by policy: shown locked in settings, not changeable by the user. */
  locked: PolicyKey[];
  /** Clear sentences for IT (empty when applied or none). */
  problems: string[];
  /** A short digest of what applies, so a change between runs can be audited. */
  digest: string;
}

export function noPolicy(source: string): LoadedPolicy {
  return finish('none', source, POLICY_DEFAULTS, [], []);
}

export function untrustedPolicy(status: 'refused' | 'malformed', source: string, problems: string[]): LoadedPolicy {
  // Everything is locked: a user must not be able to loosen what IT tried to set.
  return finish(status, source, LOCKED_DOWN_POLICY, [...POLICY_KEYS], problems);
}

/** Validates raw policy values (already decoded from JSON, plist or registry) and applies them. */
export function applyPolicy(raw: unknown, source: string): LoadedPolicy {
  const parsed = policySchema.safeParse(raw);
  if (!parsed.success) return untrustedPolicy('malformed', source, parsed.error.issues.map(describeIssue));
  const set = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)) as Partial<EffectivePolicy>;
  const effective: EffectivePolicy = { ...POLICY_DEFAULTS, ...set };
  const problems: string[] = [];
  if (effective.UpdatesEnabled && !effective.UpdatesUrl) {
    // Updates on without a repository would be an app that fails every check: keep it off and say so.
    effective.UpdatesEnabled = false;
    problems.push('UpdatesEnabled is true but UpdatesUrl is not set: updates stay off.');
  }
  if (effective.AuditSyslogTarget && (!effective.AuditSyslogClientCertFile || !effective.AuditSyslogClientKeyFile)) {
    // Receivers authenticate their senders (mutual TLS); one that took anonymous senders would drop their data.
    effective.AuditSyslogTarget = null;
    problems.push('AuditSyslogTarget is set but AuditSyslogClientCertFile or AuditSyslogClientKeyFile is not: audit forwarding stays off.');
  }
  return finish('applied', source, effective, Object.keys(set) as PolicyKey[], problems);
}

function describeIssue(i: z.core.$ZodIssue): string {
  const where = i.path.length ? i.path.map(String).join('.') : 'the policy';
  if (i.code === 'unrecognized_keys') return `${where}: unknown key(s) ${i.keys.join(', ')} (check the spelling).`;
  return `${where}: ${i.message}.`;
}

function finish(status: PolicyStatus, source: string, effective: EffectivePolicy, locked: PolicyKey[], problems: string[]): LoadedPolicy {
  const digest = createHash('sha256').update(JSON.stringify({ status, effective, locked: [...locked].sort() })).digest('hex').slice(0, 16);
  return { status, source, effective, locked, problems, digest };
}
