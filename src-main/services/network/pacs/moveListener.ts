// The inbound DIMSE listener a C-MOVE needs: the archive opens its own association back to us and sends each instance
// as a C-STORE. It is a network exposure, so it exists only while one C-MOVE runs (opened before the request, closed
// when it ends, fails or is cancelled), only when the node's policy names it, bound to the policy's address alone,
// and it admits only the node: its host (checked on the TCP connection, before any DICOM is read) and its AE title
// calling ours. Each instance is handed on raw, as it was sent (no re-encoding), with a cap per instance and in count;
// its C-STORE is answered only once the consumer has taken it, so the archive never runs ahead of the encrypted store.
// Opening and closing are audited as Application Activity (110100, no security alert: policy allowed it); a peer
// refused is a Security Alert (110113, Node Authentication).
import dimse from 'dcmjs-dimse';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { Writable } from 'node:stream';
import { AppError } from '../../../../src-shared/errors';
import type { PacsMoveListener } from '../../policy/policySchema';
import type { EgressAudit } from '../egress';
import { COMPRESSED_SYNTAXES } from './dimseClient';

const { Scp, Dataset } = dimse;
const { CEchoResponse, CStoreResponse, CFindResponse, CGetResponse, CMoveResponse } = dimse.responses;
const { Status, PresentationContextResult, RejectResult, RejectSource, RejectReason, TransferSyntax } = dimse.constants;

/** Transfer syntaxes accepted, in order of preference: compressed as stored first, so nothing is transcoded. */
const ACCEPTED_SYNTAXES = [
  // A deflated data set is not something the import reads; everything else compressed is taken as stored.
  ...COMPRESSED_SYNTAXES.filter((t) => t !== TransferSyntax.DeflatedExplicitVRLittleEndian),
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.ImplicitVRLittleEndian,
];

/** Services this listener never offers (it stores; it is not an archive to be queried or retrieved from). */
const NOT_OFFERED = /^1\.2\.840\.10008\.5\.1\.4\.(1\.2\.|31$|32\.|33$|20\.)/;

/** At most this many associations at once (an archive uses one or a few for a move). */
const MAX_ASSOCIATIONS = 4;

export interface MoveListenerOptions {
  listener: PacsMoveListener;
  /** The node allowed to connect: its AE title calls ours, from its host. */
  peer: { aeTitle: string; host: string };
  limits: { instanceMaxBytes: number; maxInstances: number; idleMs: number };
  audit: EgressAudit | null;
  /** Each instance received: its data set as sent and the transfer syntax it came in; resolves once it is taken. */
  onInstance: (dataSet: Uint8Array, transferSyntaxUid: string) => Promise<void>;
  /** Called once when the listener cannot go on (a cap exceeded): the move is to be abandoned. */
  onFailure: (e: Error) => void;
}

export interface MoveListenerHandle {
  readonly port: number;
  /** Instances received and answered with success. */
  received(): number;
  /** Stops listening and drops every association (idempotent). */
  close(): Promise<void>;
}

function plainAddress(a: string | undefined): string {
  return (a ?? '').replace(/^::ffff:/, '');
}

type Association = InstanceType<typeof dimse.association.Association>;
type StoreRequest = InstanceType<typeof dimse.requests.CStoreRequest>;

/** Collects one C-STORE data set, refusing more than the cap (the library would otherwise buffer any size). */
class CappedSink extends Writable {
  private chunks: Buffer[] = [];
  private size = 0;
  over = false;

  constructor(private readonly cap: number) {
    super({ highWaterMark: 1 << 24 });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.size += chunk.length;
    if (this.size > this.cap) {
      this.over = true;
      this.chunks = [];
    } else if (!this.over) this.chunks.push(chunk);
    done();
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Opens the listener (resolves once it listens); refuses with a clear error when the port is taken. */
export async function openMoveListener(o: MoveListenerOptions): Promise<MoveListenerHandle> {
  const { listener, peer, limits, audit } = o;
  // The node's host as addresses, once: a connection from anywhere else is dropped before a byte of DICOM is read.
  const addresses = net.isIP(peer.host)
    ? [peer.host]
    : await lookup(peer.host, { all: true }).then(
        (all) => all.map((a) => a.address),
        (e: unknown) => {
          throw new AppError('NOT_FOUND', `The C-MOVE listener cannot resolve the PACS host to check who connects (${(e as { code?: string }).code ?? 'error'}).`, { cause: e });
        },
      );
  const allowed = new Set(addresses);
  const raw = new WeakMap<object, { bytes: Buffer; syntax: string }>();
  const scps = new Set<{ conn: net.Socket }>();
  let received = 0;
  let accepted = 0;
  let refused = 0;
  let failed = false;

  const refuse = (why: 'host' | 'calling_ae' | 'called_ae' | 'too_many') => {
    refused++;
    audit?.record({
      kind: 'securityAlert',
      eventType: 'nodeAuthentication',
      action: 'E',
      outcome: 'minorFailure',
      user: 'system',
      detail: { egressKind: 'pacs', listener: 'dimse-move', refusal: why },
    });
  };
  const fail = (e: Error) => {
    if (failed) return;
    failed = true;
    o.onFailure(e);
  };

  class MoveScp extends Scp {
    constructor(readonly conn: net.Socket) {
      super(conn, { associationTimeout: limits.idleMs, pduTimeout: limits.idleMs });
    }

    override associationRequested(association: Association): void {
      if (association.getCallingAeTitle().trim() !== peer.aeTitle) {
        refuse('calling_ae');
        return this.sendAssociationReject(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.CallingAeNotRecognized);
      }
      if (association.getCalledAeTitle().trim() !== listener.aeTitle) {
        refuse('called_ae');
        return this.sendAssociationReject(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.CalledAeNotRecognized);
      }
      for (const c of association.getPresentationContexts()) {
        const context = association.getPresentationContext(c.id);
        if (NOT_OFFERED.test(context.getAbstractSyntaxUid())) {
          context.setResult(PresentationContextResult.RejectAbstractSyntaxNotSupported);
          continue;
        }
        const offered = context.getTransferSyntaxUids();
        const pick = ACCEPTED_SYNTAXES.find((t) => offered.includes(t));
        if (pick) context.setResult(PresentationContextResult.Accept, pick);
        else context.setResult(PresentationContextResult.RejectTransferSyntaxesNotSupported);
      }
      this.sendAssociationAccept();
    }

    override associationReleaseRequested(): void {
      this.sendAssociationReleaseResponse();
    }

    override createStoreWritableStream(): Writable {
      return new CappedSink(limits.instanceMaxBytes);
    }

    override createDatasetFromStoreWritableStream(writable: Writable, context: InstanceType<typeof dimse.association.PresentationContext>, callback: (d: InstanceType<typeof Dataset>) => void): void {
      const sink = writable as CappedSink;
      if (sink.over) {
        fail(new AppError('DICOM_LIMIT_EXCEEDED', `The archive sent an instance larger than ${limits.instanceMaxBytes} bytes.`));
        this.sendAbort();
        return;
      }
      // The data set stays as sent: an empty Dataset stands in for the library, the bytes go to the import untouched.
      const syntax = context.getAcceptedTransferSyntaxUid() ?? '';
      const stand = new Dataset({}, syntax);
      raw.set(stand, { bytes: sink.toBuffer(), syntax });
      callback(stand);
    }

    override cStoreRequest(request: StoreRequest, callback: (r: InstanceType<typeof CStoreResponse>) => void): void {
      const response = CStoreResponse.fromRequest(request);
      const answer = (status: number) => {
        response.setStatus(status);
        callback(response);
      };
      const ds = request.getDataset();
      const got = ds ? raw.get(ds) : undefined;
      if (!got || failed) return answer(Status.ProcessingFailure);
      if (received >= limits.maxInstances) {
        fail(new AppError('DICOM_LIMIT_EXCEEDED', `The archive sent more than ${limits.maxInstances} instances.`));
        return answer(Status.ProcessingFailure);
      }
      o.onInstance(new Uint8Array(got.bytes.buffer, got.bytes.byteOffset, got.bytes.byteLength), got.syntax).then(
        () => {
          received++;
          answer(Status.Success);
        },
        () => answer(Status.ProcessingFailure),
      );
    }

    override cEchoRequest(request: InstanceType<typeof dimse.requests.CEchoRequest>, callback: (r: InstanceType<typeof CEchoResponse>) => void): void {
      const r = CEchoResponse.fromRequest(request);
      r.setStatus(Status.Success);
      callback(r);
    }

    override cFindRequest(request: InstanceType<typeof dimse.requests.CFindRequest>, callback: (r: InstanceType<typeof CFindResponse>[]) => void): void {
      const r = CFindResponse.fromRequest(request);
      r.setStatus(Status.ProcessingFailure);
      callback([r]);
    }

    override cGetRequest(request: InstanceType<typeof dimse.requests.CGetRequest>, callback: (r: InstanceType<typeof CGetResponse>[]) => void): void {
      const r = CGetResponse.fromRequest(request);
      r.setStatus(Status.ProcessingFailure);
      callback([r]);
    }

    override cMoveRequest(request: InstanceType<typeof dimse.requests.CMoveRequest>, callback: (r: InstanceType<typeof CMoveResponse>[]) => void): void {
      const r = CMoveResponse.fromRequest(request);
      r.setStatus(Status.ProcessingFailure);
      callback([r]);
    }

    override abort(): void {
      this.conn.destroy();
    }

    override cCancelRequest(): void {
      // Nothing to cancel: this listener issues no pending responses.
    }
  }

  const server = net.createServer((socket) => {
    if (!allowed.has(plainAddress(socket.remoteAddress))) {
      refuse('host');
      socket.destroy();
      return;
    }
    if (scps.size >= MAX_ASSOCIATIONS) {
      refuse('too_many');
      socket.destroy();
      return;
    }
    accepted++;
    const scp = new MoveScp(socket);
    scps.add(scp);
    scp.on('networkError', () => socket.destroy());
    scp.on('close', () => scps.delete(scp));
    socket.once('close', () => scps.delete(scp));
  });
  server.maxConnections = MAX_ASSOCIATIONS * 2;

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      reject(
        new AppError(
          'PERMISSION_DENIED',
          e.code === 'EADDRINUSE'
            ? `The C-MOVE listener cannot open port ${listener.port}: something else uses it.`
            : `The C-MOVE listener cannot listen on ${listener.bindAddress}:${listener.port} (${e.code ?? 'error'}).`,
          { cause: e },
        ),
      );
    };
    server.once('error', onError);
    server.listen({ host: listener.bindAddress, port: listener.port, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (e) => fail(e));
  const activity = (phase: 'opened' | 'closed', extra: Record<string, number> = {}) =>
    audit?.record({
      kind: 'applicationActivity',
      action: 'E',
      outcome: 'success',
      user: 'system',
      detail: { egressKind: 'pacs', listener: 'dimse-move', phase, bindAddress: listener.bindAddress, port: listener.port, ...extra },
    });
  activity('opened');

  let closing: Promise<void> | null = null;
  return {
    port: listener.port,
    received: () => received,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        for (const scp of scps) scp.conn.destroy();
        scps.clear();
        server.close(() => {
          activity('closed', { associations: accepted, refused, instances: received });
          resolve();
        });
      })),
  };
}
