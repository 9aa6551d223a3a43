// One HTTP(S) GET to a PACS node, admitted by the egress gate, with the node's TLS (CA, pin) and the limits a
// radiologist's workstation needs against a slow or hostile archive: connect, idle and total timeouts, a byte cap
// on the whole response, no redirects, cancel by AbortSignal. The body streams (WADO-RS studies are large).
// Nothing here logs: the URL carries patient data in QIDO queries and the headers carry credentials.
import http from 'node:http';
import https from 'node:https';
import { AppError } from '../../../../src-shared/errors';
import { connectionRefusal, EgressRefused, type EgressGate, type EgressTls } from '../egress';

export interface PacsLimits {
  connectMs: number;
  /** No byte for this long, once connected: the server stalled. */
  idleMs: number;
  totalMs: number;
  /** The most bytes this response may carry. */
  maxBytes: number;
}

export const DEFAULT_LIMITS: PacsLimits = { connectMs: 10_000, idleMs: 30_000, totalMs: 15 * 60_000, maxBytes: 4 * 1024 ** 3 };

export interface PacsGet {
  url: string;
  headers: Record<string, string>;
  tls: EgressTls;
  limits: PacsLimits;
  signal?: AbortSignal;
}

export interface PacsResponse {
  status: number;
  contentType: string;
  /** The body, capped and timed; throws EgressRefused (too_large, timeout) or CANCELLED. */
  body: AsyncIterable<Buffer>;
  /** Stops reading (the rest is not wanted). */
  close(): void;
}

export function cancelled(): AppError {
  return new AppError('CANCELLED', 'The PACS request was cancelled.');
}

/** What C-MOVE answers when policy gives the node no listener (nothing is opened, nothing connects). */
export function moveNotAllowed(nodeName: string): AppError {
  return new AppError('PERMISSION_DENIED', `C-MOVE needs an inbound listener, which policy does not allow for PACS node "${nodeName}" (no moveListener, or the node uses TLS): use C-GET.`);
}

export async function pacsGet(gate: EgressGate, req: PacsGet): Promise<PacsResponse> {
  if (req.signal?.aborted) throw cancelled();
  const url = gate.admit('pacs', req.url);
  const secure = url.protocol === 'https:';
  const { limits } = req;
  return new Promise<PacsResponse>((resolve, reject) => {
    /** Set once the caller has the response: from then on a failure surfaces while reading its body. */
    let response: http.IncomingMessage | null = null;
    let failed: Error | null = null;
    const timers: NodeJS.Timeout[] = [];
    const clear = () => {
      for (const t of timers) clearTimeout(t);
      req.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (e: Error) => {
      if (failed) return;
      failed = e;
      clear();
      if (response) response.destroy(e);
      else reject(e);
      request.destroy();
    };
    const refuse = (reason: Parameters<EgressGate['refusal']>[1], message: string, cause?: unknown) => fail(gate.refusal('pacs', reason, message, cause));
    const onAbort = () => fail(cancelled());
    req.signal?.addEventListener('abort', onAbort, { once: true });

    const options: https.RequestOptions = {
      method: 'GET',
      headers: { ...req.headers, 'accept-encoding': 'identity' },
      agent: false,
      ...(secure ? gate.tlsOptions(req.tls) : {}),
    };
    const request = (secure ? https : http).request(url, options, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) return refuse('redirect', 'The PACS redirected: redirects are not followed.');
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (declared > limits.maxBytes) return refuse('too_large', `The PACS answer is larger than ${limits.maxBytes} bytes.`);
      response = res;
      resolve({
        status,
        contentType: String(res.headers['content-type'] ?? ''),
        body: capped(res, limits.maxBytes, () => refuse('too_large', `The PACS answer is larger than ${limits.maxBytes} bytes.`), () => clear()),
        close: () => {
          clear();
          res.destroy();
          request.destroy();
        },
      });
    });
    timers.push(setTimeout(() => refuse('timeout', 'The PACS did not answer in time (total time limit).'), limits.totalMs));
    const connectTimer = setTimeout(() => refuse('timeout', 'Could not connect to the PACS in time.'), limits.connectMs);
    timers.push(connectTimer);
    request.on('socket', (socket) => {
      socket.once(secure ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
      // Idle: no byte either way for idleMs (before the headers too: a server that accepts and never answers).
      socket.setTimeout(limits.idleMs, () => refuse('timeout', 'The PACS stopped sending (idle time limit).'));
    });
    request.on('error', (e) => {
      if (failed) return;
      const reason = connectionRefusal(e);
      const words = { certificate: 'its certificate is not trusted', pin_mismatch: 'its key is not the one pinned by policy', tls_version: 'it does not offer TLS 1.2 or newer', tls_or_network: (e as NodeJS.ErrnoException).code ?? 'network error' } as Record<string, string>;
      refuse(reason, `The connection to the PACS failed: ${words[reason] ?? reason}.`, e);
    });
    request.end();
  });
}

async function* capped(res: http.IncomingMessage, maxBytes: number, tooLarge: () => void, done: () => void): AsyncGenerator<Buffer> {
  let size = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        tooLarge();
        break;
      }
      yield chunk;
    }
    // The stream was destroyed with our error (timeout, cap, cancel): iteration may end quietly; say why.
    if (res.errored) throw res.errored;
    if (!res.complete) throw new EgressRefused('tls_or_network', 'The PACS closed the connection early.');
  } finally {
    done();
    res.destroy();
  }
}

/** Reads a whole (small) body: a QIDO answer. */
export async function readAll(r: PacsResponse): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r.body) chunks.push(c);
  return Buffer.concat(chunks);
}
