// One audit event per export attempt (PS3.15 A.5.3.4 "Export"): counts and switches only, never names,
// UIDs or paths, so the trail itself carries no identifying data.
import type { AuditDetail } from '../../../src-shared/audit/auditEvents';
import { toAppError } from '../../../src-shared/errors';
import type { ExportDeps, ExportPermission } from './exportTypes';

export async function audited<T>(deps: ExportDeps, permission: ExportPermission, detail: AuditDetail, work: () => Promise<T>, countOf: (r: T) => number): Promise<T> {
  try {
    await deps.checkPermission(permission, deps.user);
  } catch (e) {
    await deps.audit({ kind: 'export', action: 'R', outcome: 'seriousFailure', eventType: 'useOfRestrictedFunction', user: deps.user, detail: { ...detail, exportKind: permission, denied: true } });
    throw toAppError(e, 'PERMISSION_DENIED');
  }
  try {
    const result = await work();
    await deps.audit({ kind: 'export', action: 'R', outcome: 'success', user: deps.user, detail: { ...detail, exportKind: permission, files: countOf(result) } });
    return result;
  } catch (e) {
    const err = toAppError(e, 'EXPORT_FAILED');
    await deps.audit({ kind: 'export', action: 'R', outcome: 'minorFailure', user: deps.user, detail: { ...detail, exportKind: permission, error: err.code } });
    throw err;
  }
}

export function optionDetail(opts: { options?: Record<string, boolean | undefined>; burnedIn?: { override?: boolean; redactions?: ReadonlyMap<string, unknown>; regions?: unknown } }): AuditDetail {
  const d: AuditDetail = { profile: 'PS3.15-E.1-basic' };
  for (const [k, v] of Object.entries(opts.options ?? {})) if (v) d[`option.${k}`] = true;
  if (opts.burnedIn?.override) d['burnedInOverride'] = true;
  if (opts.burnedIn?.redactions?.size) d['redactedFiles'] = opts.burnedIn.redactions.size;
  if (opts.burnedIn?.regions) d['redactionRegions'] = true;
  return d;
}
