// Exporting the trail for a privacy officer or an audit repository: one line per entry, either the entry as JSON
// (with its chain hash, so a copy can be re-verified) or its DICOM/ATNA AuditMessage. Reading the trail is itself
// audited (Audit Log Used, 110101) before the first line is written, so the export includes its own record.
import { AppError } from '../../../src-shared/errors';
import { defaultAtnaSource, toAtnaXml, type AtnaSource } from './atnaXml';
import type { AuditService } from './auditService';

export type AuditExportFormat = 'atna-xml' | 'jsonl';

export interface AuditExportOptions {
  format: AuditExportFormat;
  /** Inclusive lower bound, ISO 8601 (any offset; compared in UTC). */
  from?: string;
  /** Exclusive upper bound. */
  to?: string;
  user?: string;
  source?: AtnaSource;
}

function isoOrNull(s: string | undefined, what: string): string | null {
  if (s === undefined) return null;
  const t = Date.parse(s);
  if (!Number.isFinite(t)) throw new AppError('INVALID_REQUEST', `--${what} is not a date and time (ISO 8601, e.g. 2026-11-21 or 2026-11-21T10:00:00Z).`);
  return new Date(t).toISOString();
}

/** Writes one line per entry through `write`; returns how many. */
export async function exportAuditTrail(audit: AuditService, o: AuditExportOptions, write: (line: string) => void | Promise<void>): Promise<number> {
  if (o.format !== 'atna-xml' && o.format !== 'jsonl') throw new AppError('INVALID_REQUEST', 'The export format is atna-xml or jsonl.');
  const from = isoOrNull(o.from, 'from');
  const to = isoOrNull(o.to, 'to');
  audit.record({
    kind: 'auditLogUsed',
    action: 'R',
    outcome: 'success',
    ...(o.user ? { user: o.user } : {}),
    objects: [{ type: 'auditLog', id: 'audit-trail' }],
    detail: { op: 'export', format: o.format === 'jsonl' ? 'jsonl' : 'atna_xml', bounded: from !== null || to !== null },
  });
  const source = o.source ?? defaultAtnaSource();
  let n = 0;
  for (const r of audit.between(from, to)) {
    await write(o.format === 'jsonl' ? JSON.stringify(r) : toAtnaXml(r, source));
    n++;
  }
  return n;
}
