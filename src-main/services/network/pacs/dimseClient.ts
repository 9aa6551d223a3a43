// DIMSE against one policy node with dcmjs-dimse (pure JS): C-ECHO, C-FIND (study, series, image level) and C-GET
// of a series, each association admitted by the egress gate first. dcmjs-dimse logs associations and data sets by
// default: it is silenced here once and for all. C-GET proposes every compressed transfer syntax in its own
// presentation context for the SOP classes the series holds, so the archive can send each instance as it stores it.
import dimse from 'dcmjs-dimse';
import { createRequire } from 'node:module';
import tls from 'node:tls';
import { AppError } from '../../../../src-shared/errors';
import { dicomUid, pacsQuerySchema, type PacsInstance, type PacsQuery, type PacsSeries, type PacsStudy } from '../../../../src-shared/pacs/pacsQuery';
import { writeTree } from '../../../../src-shared/dicom/write/writeTree';
import { readTree } from '../../../../src-shared/dicom/write/readTree';
import type { PacsNode } from '../../policy/policySchema';
import { connectionRefusal, type EgressAudit, type EgressGate } from '../egress';
import type { PacsLimits } from './pacsHttp';
import { cancelled, moveNotAllowed } from './pacsHttp';

const { Client } = dimse;
const { CEchoRequest, CFindRequest, CGetRequest, CMoveRequest } = dimse.requests;
const { CStoreResponse } = dimse.responses;
const { Status, TransferSyntax } = dimse.constants;
const { PresentationContext } = dimse.association;

// Associations, PDUs and data sets would otherwise go to the console: patient names among them. The dcmjs that
// dcmjs-dimse parses with (its own copy) warns about every private tag with its value: silenced too.
dimse.log.setLevel('silent');
try {
  const fromDimse = createRequire(createRequire(__filename).resolve('dcmjs-dimse'));
  (fromDimse('dcmjs') as { log?: { setLevel(level: string): void } }).log?.setLevel('silent');
} catch {
  // No separate copy to silence (a bundle that resolved dcmjs elsewhere): nothing more to do.
}

const DEFAULT_CALLING_AE = 'ENCLAVE';

/** C-MOVE status "Warning: sub-operations complete, one or more failures": what arrived is kept, the failures counted. */
const SUBOPERATIONS_WITH_FAILURES = 0xb000;

/** The most instances one series may bring over C-MOVE (a sane bound on what an archive may push). */
const MAX_INSTANCES_PER_SERIES = 100_000;

const STUDY_INSTANCE_UID = 0x0020000d;
const SERIES_INSTANCE_UID = 0x0020000e;

/**
 * Compressed syntaxes: C-GET proposes them one per context (an archive may accept only one syntax per context); the
 * C-MOVE listener accepts them first, so instances arrive as stored.
 */
export const COMPRESSED_SYNTAXES: readonly string[] = [
  TransferSyntax.JpegBaseline,
  '1.2.840.10008.1.2.4.51',
  '1.2.840.10008.1.2.4.57',
  TransferSyntax.JpegLossless,
  TransferSyntax.JpegLsLossless,
  TransferSyntax.JpegLsLossy,
  TransferSyntax.Jpeg2000Lossless,
  TransferSyntax.Jpeg2000Lossy,
  TransferSyntax.RleLossless,
  TransferSyntax.DeflatedExplicitVRLittleEndian,
  '1.2.840.10008.1.2.4.201', // HTJ2K lossless
  '1.2.840.10008.1.2.4.202', // HTJ2K lossless RPCL
  '1.2.840.10008.1.2.4.203', // HTJ2K
];

type DimseNode = PacsNode & { host: string; port: number; aeTitle: string };

type Elements = Record<string, unknown>;

function text(v: unknown): string {
  if (Array.isArray(v)) v = v[0];
  if (v && typeof v === 'object' && 'Alphabetic' in v) return String((v as { Alphabetic: unknown }).Alphabetic ?? '');
  return v === undefined || v === null ? '' : String(v);
}

function count(v: unknown): number | null {
  const s = text(v);
  return s === '' || !Number.isFinite(Number(s)) ? null : Number(s);
}

function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  return text(v) ? text(v).split('\\') : [];
}

/** Part 10 bytes for an instance received over DIMSE: its data set as sent, with a file meta header naming the syntax. */
export function part10(dataSet: Uint8Array, transferSyntaxUid: string): Uint8Array {
  const tree = readTree(dataSet);
  return writeTree({ ...tree, meta: [], transferSyntaxUid, hadFileMeta: false });
}

export class DimseClient {
  readonly protocol = 'dimse';

  constructor(
    private readonly gate: EgressGate,
    private readonly node: DimseNode,
    private readonly limits: PacsLimits,
    private readonly audit: EgressAudit | null = null,
  ) {}

  private admit(): void {
    this.gate.admit('pacs', `${this.node.tls ? 'dicom-tls' : 'dicom'}://${this.node.host}:${this.node.port}`);
  }

  /**
   * DICOM TLS (PS3.15 B.1): dcmjs-dimse verifies the chain and host but cannot check a pin, so the gate's own TLS
   * settings (TLS 1.2+, the node's CA, its SPKI pin) are checked first on a handshake of their own; the association's
   * connection then verifies the chain and host again.
   */
  private async verifyTls(signal?: AbortSignal): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const socket = tls.connect({ host: this.node.host, port: this.node.port, ...this.gate.tlsOptions(this.tlsSettings()), timeout: this.limits.connectMs });
      const fail = (e: Error) => {
        socket.destroy();
        reject(e);
      };
      const onAbort = () => fail(cancelled());
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('secureConnect', () => {
        signal?.removeEventListener('abort', onAbort);
        socket.end();
        resolve();
      });
      socket.once('timeout', () => fail(this.gate.refusal('pacs', 'timeout', 'Could not connect to the PACS in time.')));
      socket.once('error', (e) => {
        const reason = connectionRefusal(e);
        fail(this.gate.refusal('pacs', reason, `The TLS connection to the PACS failed (${reason}).`, e));
      });
    });
  }

  private tlsSettings(): { caPem?: string; spkiSha256?: string } {
    return { ...(this.node.caPem ? { caPem: this.node.caPem } : {}), ...(this.node.spkiSha256 ? { spkiSha256: this.node.spkiSha256 } : {}) };
  }

  /** Runs one association with `requests`; resolves when it closes, rejects on refusal, network error or timeout. */
  private async run(requests: InstanceType<typeof dimse.requests.Request>[], setup: (client: InstanceType<typeof Client>) => void, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw cancelled();
    this.admit();
    if (this.node.tls) await this.verifyTls(signal);
    const client = new Client();
    for (const r of requests) client.addRequest(r);
    setup(client);
    return new Promise<void>((resolve, reject) => {
      let failed: Error | null = null;
      const fail = (e: Error) => {
        if (failed) return;
        failed = e;
        client.abort();
      };
      const total = setTimeout(() => fail(this.gate.refusal('pacs', 'timeout', 'The PACS did not finish in time (total time limit).')), this.limits.totalMs);
      const onAbort = () => fail(cancelled());
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        clearTimeout(total);
        signal?.removeEventListener('abort', onAbort);
      };
      client.on('associationRejected', () => fail(new AppError('PERMISSION_DENIED', `PACS node "${this.node.name}" rejected the association (check the AE titles in policy and the archive's list of peers).`)));
      client.on('networkError', (e: Error) => {
        const code = (e as NodeJS.ErrnoException).code ?? '';
        if (/TIMEOUT|ETIMEDOUT/i.test(code + e.message)) fail(this.gate.refusal('pacs', 'timeout', 'The PACS did not answer in time.', e));
        else fail(this.gate.refusal('pacs', connectionRefusal(e), `The connection to the PACS failed: ${code || 'network error'}.`, e));
      });
      client.on('closed', () => {
        done();
        if (failed) reject(failed);
        else resolve();
      });
      if (failed === null) {
        client.send(this.node.host, this.node.port, this.node.callingAeTitle ?? DEFAULT_CALLING_AE, this.node.aeTitle, {
          connectTimeout: this.limits.connectMs,
          associationTimeout: this.limits.connectMs,
          pduTimeout: this.limits.idleMs,
          ...(this.node.tls ? { securityOptions: { ...(this.node.caPem ? { ca: this.node.caPem } : {}), rejectUnauthorized: true, minVersion: 'TLSv1.2' } } : {}),
        });
      }
    });
  }

  async echo(signal?: AbortSignal): Promise<void> {
    const request = new CEchoRequest();
    let status: number | null = null;
    request.on('response', (r: { getStatus(): number }) => void (status = r.getStatus()));
    await this.run([request], () => undefined, signal);
    if (status !== Status.Success) throw new AppError('INTERNAL', `PACS node "${this.node.name}" did not confirm the echo.`);
  }

  private async find(request: InstanceType<typeof CFindRequest>, signal?: AbortSignal, max = 5000): Promise<Elements[]> {
    const rows: Elements[] = [];
    let status: number | null = null;
    request.on('response', (r: { getStatus(): number; getDataset(): { getElements(): Elements } | undefined }) => {
      status = r.getStatus();
      const ds = r.getDataset();
      if (status === Status.Pending && ds && rows.length < max) rows.push(ds.getElements());
    });
    await this.run([request], () => undefined, signal);
    if (status !== Status.Success) throw new AppError('INTERNAL', `PACS node "${this.node.name}" ended the query with status 0x${(status ?? 0).toString(16)}.`);
    return rows;
  }

  /** The C-FIND identifier a study search sends (what the Query audit event records). */
  studyIdentifier(q: PacsQuery): Elements {
    const v = pacsQuerySchema.parse(q);
    const range = v.studyDateFrom || v.studyDateTo ? (v.studyDateFrom === v.studyDateTo ? v.studyDateFrom : `${v.studyDateFrom ?? ''}-${v.studyDateTo ?? ''}`) : '';
    return {
      StudyInstanceUID: '',
      PatientName: v.patientName ?? '',
      PatientID: v.patientId ?? '',
      PatientBirthDate: v.birthDate ?? '',
      StudyDate: range,
      StudyTime: '',
      AccessionNumber: v.accession ?? '',
      StudyDescription: v.description ?? '',
      ModalitiesInStudy: v.modality ?? '',
      NumberOfStudyRelatedSeries: '',
      NumberOfStudyRelatedInstances: '',
    };
  }

  studiesQuery(q: PacsQuery): string {
    return JSON.stringify(this.studyIdentifier(q));
  }

  /** C-FIND has no paging: limit/offset are applied to what the archive returns. */
  async findStudies(q: PacsQuery, signal?: AbortSignal): Promise<PacsStudy[]> {
    const v = pacsQuerySchema.parse(q);
    const rows = await this.find(CFindRequest.createStudyFindRequest(this.studyIdentifier(q)), signal, v.offset + v.limit);
    return rows
      .map((d) => ({
        studyInstanceUid: text(d['StudyInstanceUID']),
        patientName: text(d['PatientName']),
        patientId: text(d['PatientID']),
        birthDate: text(d['PatientBirthDate']),
        studyDate: text(d['StudyDate']),
        studyTime: text(d['StudyTime']),
        accession: text(d['AccessionNumber']),
        description: text(d['StudyDescription']),
        modalities: list(d['ModalitiesInStudy']),
        seriesCount: count(d['NumberOfStudyRelatedSeries']),
        instanceCount: count(d['NumberOfStudyRelatedInstances']),
      }))
      .filter((s) => dicomUid.safeParse(s.studyInstanceUid).success)
      .slice(v.offset, v.offset + v.limit);
  }

  async findSeries(studyUid: string, signal?: AbortSignal): Promise<PacsSeries[]> {
    const rows = await this.find(
      CFindRequest.createSeriesFindRequest({ StudyInstanceUID: dicomUid.parse(studyUid), SeriesInstanceUID: '', Modality: '', SeriesNumber: '', SeriesDescription: '', NumberOfSeriesRelatedInstances: '' }),
      signal,
    );
    return rows
      .map((d) => ({ seriesInstanceUid: text(d['SeriesInstanceUID']), modality: text(d['Modality']), seriesNumber: count(d['SeriesNumber']), description: text(d['SeriesDescription']), instanceCount: count(d['NumberOfSeriesRelatedInstances']) }))
      .filter((s) => dicomUid.safeParse(s.seriesInstanceUid).success);
  }

  async findInstances(studyUid: string, seriesUid: string, signal?: AbortSignal): Promise<PacsInstance[]> {
    const rows = await this.find(
      CFindRequest.createImageFindRequest({ StudyInstanceUID: dicomUid.parse(studyUid), SeriesInstanceUID: dicomUid.parse(seriesUid), SOPInstanceUID: '', SOPClassUID: '', InstanceNumber: '' }),
      signal,
    );
    return rows
      .map((d) => ({ sopInstanceUid: text(d['SOPInstanceUID']), sopClassUid: text(d['SOPClassUID']), instanceNumber: count(d['InstanceNumber']) }))
      .filter((s) => dicomUid.safeParse(s.sopInstanceUid).success);
  }

  /**
   * C-GET of one series; each instance is handed to `onInstance` as Part 10 bytes, and the archive's C-STORE is
   * answered only once it has been taken (back-pressure: the archive never runs ahead of the encrypted store).
   */
  async getSeries(studyUid: string, seriesUid: string, sopClasses: string[], maxBytes: number, onInstance: (bytes: Uint8Array) => Promise<void>, signal?: AbortSignal): Promise<{ completed: number; failed: number }> {
    const request = CGetRequest.createSeriesGetRequest(dicomUid.parse(studyUid), dicomUid.parse(seriesUid));
    let result = { completed: 0, failed: 0 };
    let bytes = 0;
    let refusal: Error | null = null;
    request.on('response', (r: { getStatus(): number; getCompleted(): number; getFailures(): number }) => {
      if (r.getStatus() !== Status.Pending) result = { completed: r.getCompleted(), failed: r.getFailures() };
    });
    await this.run(
      [request],
      (client) => {
        for (const sop of new Set(sopClasses)) {
          for (const ts of COMPRESSED_SYNTAXES) client.addAdditionalPresentationContext(new PresentationContext(0, sop, ts), true);
        }
        client.on('cStoreRequest', (req: { getDataset(): { getDenaturalizedDataset(): Buffer; getTransferSyntaxUid(): string } | undefined }, callback: (r: unknown) => void) => {
          const response = CStoreResponse.fromRequest(req as never);
          const ds = req.getDataset();
          const answer = (status: number) => {
            response.setStatus(status);
            callback(response);
          };
          if (!ds || refusal) return answer(Status.ProcessingFailure);
          let file: Uint8Array;
          try {
            file = part10(ds.getDenaturalizedDataset(), ds.getTransferSyntaxUid());
          } catch {
            return answer(Status.ProcessingFailure);
          }
          bytes += file.length;
          if (bytes > maxBytes) {
            refusal = this.gate.refusal('pacs', 'too_large', `The series is larger than ${maxBytes} bytes.`);
            client.abort();
            return answer(Status.ProcessingFailure);
          }
          onInstance(file).then(
            () => answer(Status.Success),
            (e: unknown) => {
              refusal ??= e instanceof Error ? e : new Error(String(e));
              answer(Status.ProcessingFailure);
            },
          );
        });
      },
      signal,
    ).catch((e: unknown) => {
      throw refusal ?? e;
    });
    if (refusal) throw refusal;
    return result;
  }

  /** The series' instances as they arrive over C-GET (the SOP classes, needed for the contexts, from an image-level C-FIND). */
  async *seriesInstances(studyUid: string, seriesUid: string, maxBytes: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    const sopClasses = [...new Set((await this.findInstances(studyUid, seriesUid, signal)).map((i) => i.sopClassUid).filter((u) => dicomUid.safeParse(u).success))];
    yield* streamed((put, inner) => this.getSeries(studyUid, seriesUid, sopClasses, maxBytes, put, inner), signal);
  }

  /**
   * C-MOVE of one series to the node's move listener (policy's `moveListener`), which is open only for this call: the
   * archive's C-STOREs arrive on it, each handed to `onInstance` as Part 10 bytes with the data set exactly as sent.
   * Only instances of the series asked for are taken; caps hold per instance, per series (bytes) and in count.
   */
  async moveSeries(studyUid: string, seriesUid: string, maxBytes: number, onInstance: (bytes: Uint8Array) => Promise<void>, signal?: AbortSignal): Promise<{ completed: number; failed: number }> {
    const listener = this.node.moveListener;
    if (!listener || this.node.tls) throw moveNotAllowed(this.node.name);
    const study = dicomUid.parse(studyUid);
    const series = dicomUid.parse(seriesUid);
    if (signal?.aborted) throw cancelled();
    const inner = new AbortController();
    const onOuter = () => inner.abort();
    signal?.addEventListener('abort', onOuter, { once: true });
    let refusal: Error | null = null;
    const stop = (e: Error) => {
      refusal ??= e;
      inner.abort();
    };
    let bytes = 0;
    const { openMoveListener } = await import('./moveListener');
    const open = await openMoveListener({
      listener,
      peer: { aeTitle: this.node.aeTitle, host: this.node.host },
      limits: { instanceMaxBytes: Math.min(this.limits.maxBytes, maxBytes), maxInstances: MAX_INSTANCES_PER_SERIES, idleMs: this.limits.idleMs },
      audit: this.audit,
      onFailure: stop,
      onInstance: async (dataSet, syntax) => {
        const file = part10Of(dataSet, syntax, study, series);
        if (!file) throw new AppError('INVALID_REQUEST', 'The archive sent an instance of another series.');
        bytes += file.length;
        if (bytes > maxBytes) {
          stop(this.gate.refusal('pacs', 'too_large', `The series is larger than ${maxBytes} bytes.`));
          throw cancelled();
        }
        await onInstance(file);
      },
    });
    const request = CMoveRequest.createSeriesMoveRequest(listener.aeTitle, study, series);
    let final: { status: number; completed: number; failed: number } | null = null;
    request.on('response', (r: { getStatus(): number; getCompleted(): number; getFailures(): number }) => {
      if (r.getStatus() !== Status.Pending) final = { status: r.getStatus(), completed: r.getCompleted(), failed: r.getFailures() };
    });
    try {
      await this.run([request], () => undefined, inner.signal).catch((e: unknown) => {
        throw refusal ?? e;
      });
    } finally {
      signal?.removeEventListener('abort', onOuter);
      await open.close();
    }
    if (refusal) throw refusal;
    const f = final as { status: number; completed: number; failed: number } | null;
    if (f === null) throw new AppError('INTERNAL', `PACS node "${this.node.name}" ended the C-MOVE without a final status.`);
    if (f.status === Status.MoveDestinationUnknown) {
      throw new AppError('PERMISSION_DENIED', `PACS node "${this.node.name}" does not know the move destination "${listener.aeTitle}": the archive must list it with this machine's address and port ${listener.port}.`);
    }
    if (f.status !== Status.Success && f.status !== SUBOPERATIONS_WITH_FAILURES) throw new AppError('INTERNAL', `PACS node "${this.node.name}" ended the C-MOVE with status 0x${f.status.toString(16)}.`);
    return { completed: f.completed, failed: f.failed };
  }

  /** The series' instances as they arrive over C-MOVE (through the listener policy allows for this node). */
  async *seriesInstancesByMove(studyUid: string, seriesUid: string, maxBytes: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    yield* streamed((put, inner) => this.moveSeries(studyUid, seriesUid, maxBytes, put, inner), signal);
  }
}

/** The Part 10 file for a data set received on the listener, or null when it belongs to another study or series. */
function part10Of(dataSet: Uint8Array, transferSyntaxUid: string, studyUid: string, seriesUid: string): Uint8Array | null {
  const tree = readTree(dataSet);
  const uid = (tag: number) => {
    const v = tree.dataSet.elements.find((e) => e.tag === tag)?.value;
    return v ? Buffer.from(v).toString('latin1').replace(/[\0 ]+$/, '') : '';
  };
  if (uid(STUDY_INSTANCE_UID) !== studyUid || uid(SERIES_INSTANCE_UID) !== seriesUid) return null;
  return writeTree({ ...tree, meta: [], transferSyntaxUid, hadFileMeta: false });
}

/**
 * The instances a producer (C-GET or C-MOVE of one series) hands over, as an async iterable. The association ends with
 * the consumer: cancelled with the caller's signal, or when the import stops reading.
 */
async function* streamed(produce: (put: (b: Uint8Array) => Promise<void>, signal: AbortSignal) => Promise<unknown>, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const channel = new Handoff<Uint8Array>();
  const inner = new AbortController();
  const onOuter = () => inner.abort();
  signal?.addEventListener('abort', onOuter, { once: true });
  let complete = false;
  const run = produce((b) => channel.put(b), inner.signal).then(
    () => channel.end(),
    (e: unknown) => channel.end(e instanceof Error ? e : new Error(String(e))),
  );
  try {
    yield* channel;
    complete = true;
  } finally {
    if (!complete) inner.abort();
    channel.end();
    await run;
    signal?.removeEventListener('abort', onOuter);
  }
}

/** One producer, one consumer: put() resolves when the item is taken, so the producer waits for the consumer. */
class Handoff<T> implements AsyncIterable<T> {
  private items: { value: T; taken: () => void; dropped: (e: Error) => void }[] = [];
  private waiting: (() => void) | null = null;
  private finished = false;
  private error: Error | null = null;

  put(value: T): Promise<void> {
    if (this.finished) return Promise.reject(cancelled());
    return new Promise<void>((taken, dropped) => {
      this.items.push({ value, taken, dropped });
      this.wake();
    });
  }

  end(error?: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.error = error ?? null;
    // What the consumer will never take is refused (the archive hears a failure for it, not a success).
    if (error === undefined) for (const i of this.items.splice(0)) i.dropped(cancelled());
    this.wake();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      const next = this.items.shift();
      if (next) {
        next.taken();
        yield next.value;
        continue;
      }
      if (this.finished) {
        if (this.error) throw this.error;
        return;
      }
      await new Promise<void>((r) => (this.waiting = r));
    }
  }
}
