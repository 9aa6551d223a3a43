// DICOMweb against one policy node: QIDO-RS searches and WADO-RS retrieves, every request through the egress gate
// with the node's TLS settings and the secret from the keychain sent as an Authorization header (never in the URL,
// never logged). WADO-RS asks for the instances as stored (transfer-syntax=*): compressed originals arrive as the
// archive holds them and are kept so.
import { AppError } from '../../../../src-shared/errors';
import type { PacsInstance, PacsQuery, PacsSeries, PacsStudy } from '../../../../src-shared/pacs/pacsQuery';
import { dicomUid } from '../../../../src-shared/pacs/pacsQuery';
import type { KeyStore } from '../../keys/keyStore';
import type { PacsNode } from '../../policy/policySchema';
import { EgressRefused, type EgressGate } from '../egress';
import { multipartBoundary, readMultipart } from './multipartRelated';
import { pacsGet, readAll, type PacsLimits, type PacsResponse } from './pacsHttp';
import { instancesQueryPath, readInstances, readSeries, readStudies, seriesQueryPath, studiesQueryPath } from './qidoRs';

export const WADO_ACCEPT = 'multipart/related; type="application/dicom"; transfer-syntax=*';

export interface DicomwebLimits extends PacsLimits {
  /** The most bytes one QIDO answer may have. */
  queryMaxBytes: number;
  /** The most bytes one instance (one multipart part) may have. */
  partMaxBytes: number;
}

/** A node's DICOMweb side with its credentials resolved lazily (a keychain read per request, nothing cached). */
export class DicomwebClient {
  readonly protocol = 'dicomweb';

  constructor(
    private readonly gate: EgressGate,
    private readonly node: PacsNode & { dicomweb: NonNullable<PacsNode['dicomweb']> },
    private readonly secrets: KeyStore,
    private readonly limits: DicomwebLimits,
  ) {}

  private async headers(accept: string): Promise<Record<string, string>> {
    const auth = this.node.dicomweb.auth;
    const h: Record<string, string> = { accept };
    if (!auth) return h;
    const secret = await this.secrets.get(auth.secretKey);
    if (secret === null || secret === '') {
      throw new AppError('KEYCHAIN_UNAVAILABLE', `No secret for PACS node "${this.node.name}" in the keychain (account "${auth.secretKey}"): IT stores it there.`);
    }
    h['authorization'] = auth.type === 'basic' ? `Basic ${Buffer.from(`${auth.username}:${secret}`, 'utf8').toString('base64')}` : `Bearer ${secret}`;
    return h;
  }

  private url(pathAndQuery: string): string {
    return this.node.dicomweb.url.replace(/\/+$/, '') + pathAndQuery;
  }

  private async get(pathAndQuery: string, accept: string, limits: PacsLimits, signal?: AbortSignal): Promise<PacsResponse> {
    const res = await pacsGet(this.gate, {
      url: this.url(pathAndQuery),
      headers: await this.headers(accept),
      tls: { ...(this.node.caPem ? { caPem: this.node.caPem } : {}), ...(this.node.spkiSha256 ? { spkiSha256: this.node.spkiSha256 } : {}) },
      limits,
      ...(signal ? { signal } : {}),
    });
    if (res.status === 200 || (res.status === 204 && accept.startsWith('application/dicom+json'))) return res;
    res.close();
    if (res.status === 401 || res.status === 403) {
      throw new EgressRefused('http_status', `PACS node "${this.node.name}" refused the credentials (HTTP ${res.status}): check the user name in policy and the secret in the keychain.`, { status: res.status });
    }
    throw new EgressRefused('http_status', `PACS node "${this.node.name}" answered HTTP ${res.status}.`, { status: res.status });
  }

  private async json(pathAndQuery: string, signal?: AbortSignal): Promise<Buffer> {
    const res = await this.get(pathAndQuery, 'application/dicom+json, application/json', { ...this.limits, maxBytes: this.limits.queryMaxBytes }, signal);
    if (res.status === 204) {
      res.close();
      return Buffer.alloc(0);
    }
    return readAll(res);
  }

  /** The QIDO path and query a studies search sends (what the Query audit event records). */
  studiesQuery(q: PacsQuery): string {
    return studiesQueryPath(q);
  }

  /** A connectivity check: the smallest studies search (one row at most). */
  async echo(signal?: AbortSignal): Promise<void> {
    await this.json('/studies?limit=1&includefield=0020000D', signal);
  }

  async findStudies(q: PacsQuery, signal?: AbortSignal): Promise<PacsStudy[]> {
    return readJson(() => this.json(studiesQueryPath(q), signal), readStudies);
  }

  async findSeries(studyUid: string, signal?: AbortSignal): Promise<PacsSeries[]> {
    return readJson(() => this.json(seriesQueryPath(studyUid), signal), readSeries);
  }

  async findInstances(studyUid: string, seriesUid: string, signal?: AbortSignal): Promise<PacsInstance[]> {
    return readJson(() => this.json(instancesQueryPath(studyUid, seriesUid), signal), readInstances);
  }

  /** One series' instances as stored, each as its own bytes, as they arrive; at most `maxBytes` in all. */
  async *seriesInstances(studyUid: string, seriesUid: string, maxBytes: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    const path = `/studies/${dicomUid.parse(studyUid)}/series/${dicomUid.parse(seriesUid)}`;
    const res = await this.get(path, WADO_ACCEPT, { ...this.limits, maxBytes: Math.min(maxBytes, this.limits.maxBytes) }, signal);
    try {
      const boundary = multipartBoundary(res.contentType);
      if (!boundary) throw new AppError('DICOM_PARSE', 'The PACS did not answer with multipart/related instances.');
      for await (const part of readMultipart(res.body, boundary, this.limits.partMaxBytes)) {
        const type = (part.headers['content-type'] ?? 'application/dicom').toLowerCase();
        if (!type.startsWith('application/dicom')) continue; // bulk data or a rendered part: not an instance
        yield part.body;
      }
    } finally {
      res.close();
    }
  }
}

async function readJson<T>(fetchBody: () => Promise<Buffer>, read: (b: Buffer) => T[]): Promise<T[]> {
  const body = await fetchBody();
  try {
    return read(body);
  } catch (e) {
    throw new AppError('DICOM_PARSE', 'The PACS answer is not DICOM JSON.', { cause: e });
  }
}
