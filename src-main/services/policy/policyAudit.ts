// A policy change is a security configuration change (PS3.15 A.5: Security Alert 110113, type Security
// Configuration 110129); an untrusted policy is a serious one. The caller keeps the digest last audited.
import type { AuditEventInput } from '../../../src-shared/audit/auditEvents';
import type { LoadedPolicy } from './effectivePolicy';

export function policyAuditEvent(loaded: LoadedPolicy, previousDigest: string | null): AuditEventInput | null {
  const untrusted = loaded.status === 'refused' || loaded.status === 'malformed';
  if (!untrusted && previousDigest === loaded.digest) return null;
  return {
    kind: 'securityAlert',
    eventType: 'securityConfiguration',
    action: 'U',
    outcome: untrusted ? 'seriousFailure' : 'success',
    user: 'system',
    detail: {
      policyStatus: loaded.status,
      policyDigest: loaded.digest,
      previousDigest: previousDigest ?? 'none',
      lockedKeys: loaded.locked.length,
    },
  };
}
