// `enclave pacs nodes|echo|find|retrieve|set-secret`: IT tests a PACS node without the UI, over the same services
// and the same policy the app uses (the machine's, or a candidate file with --policy-file). With no node in policy
// PACS is disabled and nothing connects. Queries and retrieves are audited in the store's trail, so `find` and
// `retrieve` unlock the store like the other store commands; `echo` names no patient and needs no store.
import type { Command } from 'commander';
import { AppError } from '../../src-shared/errors';
import type { PacsQuery } from '../../src-shared/pacs/pacsQuery';
import type { AuditEventInput } from '../../src-shared/audit/auditEvents';
import { KeytarKeyStore } from '../services/keys/keytarKeyStore';
import { EgressGate } from '../services/network/egress';
import { PACS_KEYCHAIN_SERVICE, PacsService, type PacsProtocol } from '../services/network/pacs/pacsService';
import type { LoadedPolicy } from '../services/policy/effectivePolicy';
import { loadMachinePolicy } from '../services/policy/machinePolicy';
import { loadPolicyFile } from '../services/policy/policyFile';
import { storeOptions, withStore, type StoreOpts } from './storeCommands';

interface PacsOpts {
  node: string;
  policyFile?: string;
  protocol?: string;
  json?: boolean;
}

async function policyOf(o: { policyFile?: string }): Promise<LoadedPolicy> {
  const p = o.policyFile ? await loadPolicyFile(o.policyFile) : await loadMachinePolicy();
  if (p.status === 'refused' || p.status === 'malformed') throw new AppError('PERMISSION_DENIED', `The policy (${p.source}) cannot be used: ${p.problems.join(' ')}`);
  if (p.effective.PacsNodes.length === 0) throw new AppError('PERMISSION_DENIED', `PACS is disabled: the policy (${p.source}) lists no PACS node.`);
  return p;
}

function serviceFor(p: LoadedPolicy, audit: { record(e: AuditEventInput): unknown } | null): PacsService {
  const policy = () => p.effective;
  return new PacsService({ gate: new EgressGate({ policy, audit }), policy, secrets: new KeytarKeyStore(PACS_KEYCHAIN_SERVICE), audit });
}

function protocolOf(o: PacsOpts): { protocol?: PacsProtocol } {
  if (o.protocol === undefined) return {};
  if (o.protocol !== 'dicomweb' && o.protocol !== 'dimse') throw new AppError('INVALID_REQUEST', '--protocol is dicomweb or dimse.');
  return { protocol: o.protocol };
}

function nodeOptions(c: Command): Command {
  return c
    .requiredOption('--node <name>', 'the PACS node, by its name in policy')
    .option('--protocol <protocol>', 'dicomweb or dimse (default: DICOMweb when the node has it)')
    .option('--policy-file <file>', 'use this policy file (as /etc/enclave/policy.json) instead of the machine policy')
    .option('--json', 'machine-readable output');
}

/** Ctrl+C cancels the query or retrieve cleanly (what was stored stays whole). */
function interruptible(): AbortSignal {
  const ac = new AbortController();
  process.once('SIGINT', () => ac.abort());
  return ac.signal;
}

export function registerPacsCommands(program: Command): void {
  const pacs = program.command('pacs').description('query and retrieve from the PACS nodes policy lists (for IT: test a node without the UI)');

  pacs
    .command('nodes')
    .description('list the PACS nodes policy allows')
    .option('--policy-file <file>', 'use this policy file instead of the machine policy')
    .option('--json', 'machine-readable output')
    .action(async (o: { policyFile?: string; json?: boolean }) => {
      const nodes = (await policyOf(o)).effective.PacsNodes.map((n) => ({
        name: n.name,
        dicomweb: n.dicomweb?.url ?? null,
        dimse: n.host ? `${n.aeTitle}@${n.host}:${n.port}${n.tls ? ' (TLS)' : ''}` : null,
        move: n.moveListener ? `${n.moveListener.aeTitle}@${n.moveListener.bindAddress}:${n.moveListener.port}` : null,
      }));
      if (o.json) process.stdout.write(`${JSON.stringify(nodes)}\n`);
      else for (const n of nodes) process.stdout.write(`${n.name}: ${[n.dicomweb && `DICOMweb ${n.dicomweb}`, n.dimse && `DIMSE ${n.dimse}`, n.move && `C-MOVE to ${n.move}`].filter(Boolean).join(', ')}\n`);
    });

  nodeOptions(pacs.command('echo').description('check that the node answers (C-ECHO over DIMSE; the smallest QIDO-RS search over DICOMweb)')).action(async (o: PacsOpts) => {
    const r = await serviceFor(await policyOf(o), null).echo(o.node, { ...protocolOf(o), signal: interruptible() });
    process.stdout.write(o.json ? `${JSON.stringify({ node: o.node, ok: true, ...r })}\n` : `${o.node}: answered over ${r.protocol} in ${r.milliseconds} ms.\n`);
  });

  storeOptions(
    nodeOptions(pacs.command('find').description('search the node for studies (audited as a Query)'))
      .option('--name <pattern>', "patient name, wildcards * and ? ('^' between family and given names)")
      .option('--id <id>', 'patient ID')
      .option('--birth-date <YYYYMMDD>', 'birth date')
      .option('--from <YYYYMMDD>', 'study date from')
      .option('--to <YYYYMMDD>', 'study date to')
      .option('--modality <code>', 'a modality in the study (CT, MR...)')
      .option('--accession <number>', 'accession number')
      .option('--description <text>', 'study description')
      .option('--limit <n>', 'at most this many studies', '100')
      .option('--offset <n>', 'skip this many first', '0'),
  ).action(async (o: PacsOpts & StoreOpts & Record<string, string | undefined>) => {
    const p = await policyOf(o);
    const q: PacsQuery = {
      ...(o['name'] ? { patientName: o['name'] } : {}),
      ...(o['id'] ? { patientId: o['id'] } : {}),
      ...(o['birthDate'] ? { birthDate: o['birthDate'] } : {}),
      ...(o['from'] ? { studyDateFrom: o['from'] } : {}),
      ...(o['to'] ? { studyDateTo: o['to'] } : {}),
      ...(o['modality'] ? { modality: o['modality'] } : {}),
      ...(o['accession'] ? { accession: o['accession'] } : {}),
      ...(o['description'] ? { description: o['description'] } : {}),
      limit: Number(o['limit']),
      offset: Number(o['offset']),
    };
    await withStore(o, async ({ store }) => {
      const studies = await serviceFor(p, store.audit).findStudies(o.node, q, { ...protocolOf(o), signal: interruptible() });
      if (o.json) process.stdout.write(`${JSON.stringify(studies)}\n`);
      else {
        for (const s of studies) process.stdout.write(`${s.studyDate || '--------'}  ${s.patientName}  ${s.patientId}  ${s.modalities.join('/')}  ${s.description}  ${s.studyInstanceUid}\n`);
        process.stdout.write(`${studies.length} stud${studies.length === 1 ? 'y' : 'ies'}.\n`);
      }
    });
  });

  storeOptions(
    nodeOptions(pacs.command('retrieve').description('retrieve a study or series into the encrypted cache (audited as Instances Transferred and Import)'))
      .requiredOption('--study <uid>', 'Study Instance UID')
      .option('--series <uid>', 'only this Series Instance UID')
      .option('--move', "C-MOVE instead of C-GET (DIMSE): the archive connects back to the node's moveListener, which policy must allow; it listens only while the retrieve runs"),
  ).action(async (o: PacsOpts & StoreOpts & { study: string; series?: string; move?: boolean }) => {
    const p = await policyOf(o);
    if (o.move && o.protocol === 'dicomweb') throw new AppError('INVALID_REQUEST', '--move is DIMSE (C-MOVE): it cannot go with --protocol dicomweb.');
    await withStore(o, async ({ store }) => {
      const target = { studyUid: o.study, ...(o.series ? { seriesUid: o.series } : {}) };
      const r = await serviceFor(p, store.audit).retrieve(o.node, target, store, { ...protocolOf(o), ...(o.move ? { method: 'move' as const } : {}), signal: interruptible() });
      if (o.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else process.stdout.write(`Retrieved ${r.added} new instance(s) (${r.duplicates} already cached, ${r.seriesSkipped} of ${r.series} series already whole) in ${r.seconds.toFixed(1)} s${r.cancelled ? ' — cancelled' : ''}.\n`);
      if (r.cancelled) process.exitCode = 130;
    });
  });

  pacs
    .command('set-secret')
    .description("store a node's password or token in the OS keychain, under the account its policy names (read from standard input, never an argument)")
    .requiredOption('--node <name>', 'the PACS node, by its name in policy')
    .option('--policy-file <file>', 'use this policy file instead of the machine policy')
    .action(async (o: { node: string; policyFile?: string }) => {
      const n = (await policyOf(o)).effective.PacsNodes.find((x) => x.name === o.node);
      const account = n?.dicomweb?.auth?.secretKey;
      if (!account) throw new AppError('INVALID_REQUEST', `PACS node "${o.node}" has no DICOMweb auth in policy: there is no secret to store.`);
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      const secret = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
      if (!secret) throw new AppError('INVALID_REQUEST', 'No secret on standard input.');
      await new KeytarKeyStore(PACS_KEYCHAIN_SERVICE).set(account, secret);
      process.stdout.write(`Stored the secret for "${o.node}" in the keychain (service "${PACS_KEYCHAIN_SERVICE}", account "${account}").\n`);
    });
}
