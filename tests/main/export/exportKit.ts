// Test doubles that are real enough: a permission check with a deny list and an audit sink that keeps events.
import type { AuditEventInput } from '../../../src-shared/audit/auditEvents';
import { AppError } from '../../../src-shared/errors';
import type { ExportDeps, ExportPermission } from '../../../src-main/services/export/exportTypes';

export function testDeps(opts: { deny?: ExportPermission[]; secret?: string } = {}): ExportDeps & { events: AuditEventInput[]; asked: ExportPermission[] } {
  const events: AuditEventInput[] = [];
  const asked: ExportPermission[] = [];
  return {
    user: 'tester',
    secret: new TextEncoder().encode(opts.secret ?? 'installation-secret-for-tests'),
    events,
    asked,
    checkPermission: (p) => {
      asked.push(p);
      if (opts.deny?.includes(p)) throw new AppError('PERMISSION_DENIED', `not allowed: ${p}`);
    },
    audit: (e) => {
      events.push(e);
    },
    now: () => new Date('2026-11-21T12:00:00Z'),
  };
}
