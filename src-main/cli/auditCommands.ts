// `enclave audit verify | export`: the audit trail from the command line. The store unlocks exactly as the other
// store commands do (keychain, or --recovery-key-file). Opening the store verifies the whole trail before this
// process appends anything, so `verify` reports that verification: a break exits 2, naming the first bad entry.
import { promises as fsp } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../src-shared/errors';
import { exportAuditTrail, type AuditExportFormat } from '../services/audit/auditExport';
import { storeOptions, withStore, type StoreOpts } from './storeCommands';

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident audit trail: verify it, export it (DICOM/ATNA XML or JSON lines)');

  storeOptions(audit.command('verify').description('re-hash the whole chain and check its signed checkpoints; exit 2 on any break').option('--json', 'JSON output')).action(
    async (o: StoreOpts & { json?: boolean }) => {
      await withStore(o, async ({ store }) => {
        const v = store.audit.integrity().verification ?? (await store.audit.verify());
        store.audit.record({ kind: 'auditLogUsed', action: 'R', outcome: v.ok ? 'success' : 'minorFailure', objects: [{ type: 'auditLog', id: 'audit-trail' }], detail: { op: 'verify', intact: v.ok } });
        if (o.json) process.stdout.write(`${JSON.stringify(v)}\n`);
        else if (v.ok) {
          const cp = v.anchor ? `; outside checkpoint (${v.anchor.source}) at entry ${v.anchor.size}, signed ${v.anchor.time}` : '';
          process.stdout.write(`Audit trail intact: ${v.entries} entries, ${v.checkpoints} signed checkpoint(s)${cp}. Checked in ${(v.ms / 1000).toFixed(2)} s on ${v.threads} thread(s).\n`);
        } else {
          process.stdout.write(`Audit trail BROKEN at entry ${v.firstBad!.seq}: ${v.firstBad!.problem}\nA Security Alert was recorded; it stays raised until an administrator acknowledges it.\n`);
        }
        if (!v.ok) process.exitCode = 2;
      });
    },
  );

  storeOptions(
    audit
      .command('export')
      .description('write the trail, one entry per line, as DICOM PS3.15 AuditMessage XML or JSON (audited as Audit Log Used)')
      .requiredOption('--format <format>', 'atna-xml or jsonl')
      .option('--from <time>', 'first instant to include (ISO 8601)')
      .option('--to <time>', 'first instant to leave out (ISO 8601)')
      .option('--out <file>', 'write to this new file (mode 0600) instead of standard output'),
  ).action(async (o: StoreOpts & { format: string; from?: string; to?: string; out?: string }) => {
    if (o.format !== 'atna-xml' && o.format !== 'jsonl') throw new AppError('INVALID_REQUEST', '--format is atna-xml or jsonl.');
    await withStore(o, async ({ store }) => {
      // 'wx': never overwrite; the export holds patient identifiers, so it is readable by this user only.
      const fh = o.out ? await fsp.open(o.out, 'wx', 0o600) : null;
      try {
        const opts = { format: o.format as AuditExportFormat, ...(o.from ? { from: o.from } : {}), ...(o.to ? { to: o.to } : {}) };
        const n = await exportAuditTrail(store.audit, opts, async (line) => {
          if (fh) await fh.write(`${line}\n`);
          else if (!process.stdout.write(`${line}\n`)) await new Promise((r) => process.stdout.once('drain', r));
        });
        if (fh) await fh.sync();
        process.stderr.write(`Exported ${n} audit entr${n === 1 ? 'y' : 'ies'}.\n`);
      } finally {
        await fh?.close();
      }
    });
  });
}
