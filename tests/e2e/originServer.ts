// The harness's test origin as a loopback HTTPS server: Chromium reaches https://<host>/ here (its
// --host-resolver-rules map the name to 127.0.0.1:port) and every request is handed to one function, the
// real appProtocol in the harness. Bodies travel as bytes, as Electron's protocol.handle hands them over;
// page.route/route.fulfill would carry each one base64-encoded over CDP. HTTP/2, so the page's parallel
// slice fetches are not held to HTTP/1.1's six connections (protocol.handle has no such limit).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createSecureServer } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OriginServer {
  port: number;
  close(): Promise<void>;
}

let certificate: { key: Buffer; cert: Buffer } | null = null;

/** A throwaway self-signed certificate for `host`, made once per process (the context ignores its errors). */
function throwawayCertificate(host: string): { key: Buffer; cert: Buffer } {
  if (certificate) return certificate;
  const dir = mkdtempSync(join(tmpdir(), 'enclave-harness-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    certificate = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
    return certificate;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Serves https://`host`/ on 127.0.0.1 (a free port) by `handle(path + query, method)`; other host names get 421. */
export async function startOriginServer(host: string, handle: (path: string, method: string) => Promise<Response>): Promise<OriginServer> {
  const sockets = new Set<Socket>();
  const server = createSecureServer({ ...throwawayCertificate(host), allowHTTP1: true }, (req, res) => {
    const authority = (req.headers[':authority'] ?? req.headers.host ?? '').toString();
    if (authority !== host) {
      res.writeHead(421).end();
      return;
    }
    void (async () => {
      try {
        const response = await handle(req.url, req.method);
        const headers: Record<string, string> = {};
        response.headers.forEach((v, k) => { headers[k] = v; });
        const body = Buffer.from(await response.arrayBuffer());
        res.writeHead(response.status, headers);
        if (req.method === 'HEAD') res.end();
        else res.end(body);
      } catch {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      }
    })();
  });
  server.on('secureConnection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((ok, fail) => { server.once('error', fail); server.listen(0, '127.0.0.1', () => ok()); });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((ok) => {
      for (const s of sockets) s.destroy();
      server.close(() => ok());
    }),
  };
}
