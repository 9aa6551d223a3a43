// Query/retrieve from the PACS nodes policy lists, and nothing when it lists none. Each query is audited as a
// Query (110112) with the query itself as ParticipantObjectQuery (inside the encrypted trail only); each retrieve
// as DICOM Instances Transferred (110104) and, by the import sink, Import (110107). A study is retrieved series by
// series: a series already whole in the cache is skipped (so an interrupted retrieve resumes where it stopped), and
// the byte caps hold per response, per series and per study.
import type { ImportProgress, PacsRetrieveResult } from '../../../../src-shared/ipc/contract';
import { AppError } from '../../../../src-shared/errors';
import { pacsQuerySchema, type PacsInstance, type PacsQuery, type PacsSeries, type PacsStudy } from '../../../../src-shared/pacs/pacsQuery';
import type { AuditObject } from '../../../../src-shared/audit/auditEvents';
import { runBytesImport, type BytesItem } from '../../import/importEngine';
import { sinkFor } from '../../import/importSinks';
import type { ImportReport } from '../../import/importTypes';
import type { KeyStore } from '../../keys/keyStore';
import type { EffectivePolicy, PacsNode } from '../../policy/policySchema';
import type { StudyStore } from '../../store/studyStore';
import type { EgressAudit, EgressGate } from '../egress';
import { DicomwebClient, type DicomwebLimits } from './dicomwebClient';
import { DEFAULT_LIMITS, moveNotAllowed } from './pacsHttp';

/** The keychain service under which node secrets live (each node's policy names the account). */
export const PACS_KEYCHAIN_SERVICE = 'Enclave PACS';

/** Study Root Query/Retrieve Information Model - FIND: what a study search is, in the audit trail. */
export const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';

export interface PacsLimitsConfig extends DicomwebLimits {
  seriesMaxBytes: number;
  studyMaxBytes: number;
}

export const DEFAULT_PACS_LIMITS: PacsLimitsConfig = {
  ...DEFAULT_LIMITS,
  queryMaxBytes: 4 * 1024 * 1024,
  partMaxBytes: 1024 ** 3,
  seriesMaxBytes: 8 * 1024 ** 3,
  studyMaxBytes: 32 * 1024 ** 3,
};

export interface PacsServiceOptions {
  gate: EgressGate;
  policy: () => EffectivePolicy;
  /** The keychain entries named by the nodes' `secretKey`s (service "Enclave PACS" in the app). */
  secrets: KeyStore;
  audit: EgressAudit | null;
  limits?: Partial<PacsLimitsConfig>;
}

export type PacsProtocol = 'dicomweb' | 'dimse';

/** What each protocol's client offers the service. */
type QrClient = Pick<DicomwebClient, 'studiesQuery' | 'echo' | 'findStudies' | 'findSeries' | 'findInstances' | 'seriesInstances'> & {
  protocol: PacsProtocol;
  /** DIMSE only: the series over C-MOVE, through the listener policy allows. */
  seriesInstancesByMove?: DicomwebClient['seriesInstances'];
};

export interface PacsCallOptions {
  signal?: AbortSignal;
  /** Which of the node's protocols to use (default: DICOMweb when the node has it, else DIMSE). */
  protocol?: PacsProtocol;
}

export interface PacsNodeInfo {
  name: string;
  dicomweb: boolean;
  dimse: boolean;
  /** C-MOVE allowed: policy gives the node a listener (never on a TLS node). */
  move: boolean;
}

/** Whether policy lets a retrieve from this node use C-MOVE (the panel offers it; retrieve refuses it otherwise). */
export function moveAllowed(n: PacsNode): boolean {
  return n.moveListener !== undefined && !n.tls && n.host !== undefined;
}

export interface RetrieveTarget {
  studyUid: string;
  /** Only this series; the whole study when absent. */
  seriesUid?: string;
}

export interface RetrieveOptions extends PacsCallOptions {
  /**
   * DIMSE only: 'get' (C-GET, the default: everything over our own association) or 'move' (C-MOVE: the archive connects
   * back to a listener policy must allow for the node, open only while the retrieve runs).
   */
  method?: 'get' | 'move';
  onProgress?: (p: ImportProgress & { seriesDone: number; seriesTotal: number }) => void;
}

/** What a retrieve did (the contract's result without the job id the app adds). */
export type RetrieveReport = Omit<PacsRetrieveResult, 'jobId'>;

export class PacsService {
  private readonly limits: PacsLimitsConfig;

  constructor(private readonly o: PacsServiceOptions) {
    this.limits = { ...DEFAULT_PACS_LIMITS, ...o.limits };
  }

  /** False when policy lists no node: no PACS feature at all. */
  enabled(): boolean {
    return this.o.policy().PacsNodes.length > 0;
  }

  nodes(): PacsNodeInfo[] {
    return this.o.policy().PacsNodes.map((n) => ({ name: n.name, dicomweb: n.dicomweb !== undefined, dimse: n.host !== undefined, move: moveAllowed(n) }));
  }

  node(name: string): PacsNode {
    const nodes = this.o.policy().PacsNodes;
    if (nodes.length === 0) throw new AppError('PERMISSION_DENIED', 'PACS is disabled: the machine policy lists no PACS node.');
    const n = nodes.find((x) => x.name === name);
    if (!n) throw new AppError('NOT_FOUND', `No PACS node named "${name}" in policy (nodes: ${nodes.map((x) => x.name).join(', ')}).`);
    return n;
  }

  /** DIMSE code (dcmjs-dimse) loads only when a DIMSE node is first used: start-up stays as light as with no PACS. */
  private async client(name: string, protocol?: PacsProtocol): Promise<QrClient> {
    const n = this.node(name);
    const use = protocol ?? (n.dicomweb ? 'dicomweb' : 'dimse');
    if (use === 'dicomweb') {
      if (!n.dicomweb) throw new AppError('INVALID_REQUEST', `PACS node "${name}" has no DICOMweb address in policy.`);
      return new DicomwebClient(this.o.gate, { ...n, dicomweb: n.dicomweb }, this.o.secrets, this.limits);
    }
    if (n.host === undefined || n.port === undefined || n.aeTitle === undefined) throw new AppError('INVALID_REQUEST', `PACS node "${name}" has no DIMSE address in policy.`);
    const { DimseClient } = await import('./dimseClient');
    return new DimseClient(this.o.gate, { ...n, host: n.host, port: n.port, aeTitle: n.aeTitle }, this.limits, this.o.audit);
  }

  /** C-ECHO over DIMSE; over DICOMweb the smallest studies search. Not audited: it names no patient. */
  async echo(nodeName: string, o: PacsCallOptions = {}): Promise<{ protocol: PacsProtocol; milliseconds: number }> {
    const c = await this.client(nodeName, o.protocol);
    const t0 = Date.now();
    await c.echo(o.signal);
    return { protocol: c.protocol, milliseconds: Date.now() - t0 };
  }

  async findStudies(nodeName: string, query: PacsQuery, o: PacsCallOptions = {}): Promise<PacsStudy[]> {
    const q = pacsQuerySchema.parse(query);
    const c = await this.client(nodeName, o.protocol);
    return this.audited(c, c.studiesQuery(q), 'STUDY', () => c.findStudies(q, o.signal));
  }

  async findSeries(nodeName: string, studyUid: string, o: PacsCallOptions = {}): Promise<PacsSeries[]> {
    const c = await this.client(nodeName, o.protocol);
    return this.audited(c, `/studies/${studyUid}/series`, 'SERIES', () => c.findSeries(studyUid, o.signal));
  }

  async findInstances(nodeName: string, studyUid: string, seriesUid: string, o: PacsCallOptions = {}): Promise<PacsInstance[]> {
    const c = await this.client(nodeName, o.protocol);
    return this.audited(c, `/studies/${studyUid}/series/${seriesUid}/instances`, 'IMAGE', () => c.findInstances(studyUid, seriesUid, o.signal));
  }

  private async audited<T>(c: QrClient, text: string, level: string, run: () => Promise<T[]>): Promise<T[]> {
    try {
      const rows = await run();
      this.auditQuery(c.protocol, text, 'success', { level, results: rows.length });
      return rows;
    } catch (e) {
      this.auditQuery(c.protocol, text, 'seriousFailure', { level, code: errorWord(e) });
      throw e;
    }
  }

  /** Retrieves a study or series into `store` (the encrypted cache, or a quick-view store in memory). */
  async retrieve(nodeName: string, target: RetrieveTarget, store: StudyStore, o: RetrieveOptions = {}): Promise<RetrieveReport> {
    const started = Date.now();
    if (o.method === 'move') {
      if (o.protocol === 'dicomweb') throw new AppError('INVALID_REQUEST', 'C-MOVE is DIMSE: it cannot go over DICOMweb.');
      // Refused before anything connects or listens.
      if (!moveAllowed(this.node(nodeName))) throw moveNotAllowed(nodeName);
    }
    const client = await this.client(nodeName, o.method === 'move' ? 'dimse' : o.protocol);
    const byMove = o.method === 'move' ? client.seriesInstancesByMove?.bind(client) : undefined;
    const instancesOf = (studyUid: string, seriesUid: string, budget: number) => (byMove ?? client.seriesInstances.bind(client))(studyUid, seriesUid, budget, o.signal);
    const call = { ...(o.signal ? { signal: o.signal } : {}), protocol: client.protocol };
    const series = target.seriesUid
      ? [{ seriesInstanceUid: target.seriesUid, instanceCount: null } as Pick<PacsSeries, 'seriesInstanceUid' | 'instanceCount'>]
      : await this.findSeries(nodeName, target.studyUid, call);
    const report: RetrieveReport = { series: series.length, seriesSkipped: 0, added: 0, duplicates: 0, conflicts: 0, skipped: 0, bytes: 0, cancelled: false, seconds: 0 };
    const touched: AuditObject[] = [];
    let failure: unknown = null;
    let done = 0;
    for (const s of series) {
      if (o.signal?.aborted) {
        report.cancelled = true;
        break;
      }
      const local = await localInstanceCount(store, s.seriesInstanceUid);
      if (s.instanceCount !== null && local >= s.instanceCount && local > 0) {
        report.seriesSkipped++;
        done++;
        continue;
      }
      const budget = Math.min(this.limits.seriesMaxBytes, this.limits.studyMaxBytes - report.bytes);
      if (budget <= 0) {
        failure = new AppError('DICOM_LIMIT_EXCEEDED', `The study is larger than the ${this.limits.studyMaxBytes} bytes policy allows for one retrieve.`);
        break;
      }
      const items = numbered(instancesOf(target.studyUid, s.seriesInstanceUid, budget), (n) => (report.bytes += n));
      let r: ImportReport;
      try {
        r = await runBytesImport(`pacs:${nodeName}`, items, sinkFor(store), {
          ...(o.signal ? { signal: o.signal } : {}),
          onProgress: (p) => o.onProgress?.({ ...p, seriesDone: done, seriesTotal: series.length }),
        });
      } catch (e) {
        failure = e;
        break;
      }
      done++;
      report.added += r.added;
      report.duplicates += r.duplicates;
      report.conflicts += r.conflicts;
      report.skipped += r.skipped.reduce((a, x) => a + x.count, 0);
      const seriesId = store.seriesIdOf?.(s.seriesInstanceUid) ?? null;
      if (seriesId) touched.push({ type: 'series', id: seriesId });
      if (r.cancelled) {
        report.cancelled = true;
        break;
      }
    }
    report.seconds = (Date.now() - started) / 1000;
    await this.auditTransfer(client.protocol, store, touched, report, failure);
    if (failure) throw failure;
    return report;
  }

  private auditQuery(protocol: PacsProtocol, text: string, outcome: 'success' | 'seriousFailure', detail: Record<string, string | number>): void {
    this.o.audit?.record({
      kind: 'query',
      action: 'E',
      outcome,
      query: { sopClassUid: STUDY_ROOT_FIND, base64: Buffer.from(text, 'utf8').toString('base64') },
      detail: { protocol, ...detail },
    });
  }

  private async auditTransfer(protocol: PacsProtocol, store: StudyStore, series: AuditObject[], r: RetrieveReport, failure: unknown): Promise<void> {
    const studies = new Set<string>();
    for (const s of series) {
      const study = await store.studyOfSeries(s.id);
      if (study) studies.add(study);
    }
    this.o.audit?.record({
      kind: 'instancesTransferred',
      action: 'C',
      outcome: failure ? 'seriousFailure' : r.cancelled ? 'minorFailure' : 'success',
      objects: [...[...studies].map((id) => ({ type: 'study' as const, id })), ...series],
      detail: { protocol, added: r.added, duplicates: r.duplicates, bytes: r.bytes, cancelled: r.cancelled, ...(failure ? { code: errorWord(failure) } : {}) },
    });
  }
}

async function localInstanceCount(store: StudyStore, seriesUid: string): Promise<number> {
  const id = store.seriesIdOf?.(seriesUid) ?? null;
  return id ? (await store.listInstances(id)).length : 0;
}

async function* numbered(parts: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): AsyncGenerator<BytesItem> {
  let i = 0;
  for await (const bytes of parts) {
    onBytes(bytes.byteLength);
    yield { where: `instance ${++i}`, bytes };
  }
}

function errorWord(e: unknown): string {
  const reason = (e as { reason?: unknown }).reason;
  if (typeof reason === 'string') return reason;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z_]{1,40}$/.test(code) ? code : 'error';
}
