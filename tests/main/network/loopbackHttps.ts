// A real HTTPS server on 127.0.0.1 with a throwaway CA made for the test (trusted only by the gate under
// test, never by the system): the update repository and the egress gate are exercised over real TLS.
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface ThrowawayCa {
  caPem: string;
  keyPem: string;
  certPem: string;
}

/** A CA and a server certificate for 127.0.0.1/localhost, made with openssl in a temporary folder. */
export function makeThrowawayCa(): ThrowawayCa {
  const dir = mkdtempSync(path.join(tmpdir(), 'enclave-ca-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Enclave test CA');
  run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  const ext = path.join(dir, 'ext.cnf');
  execFileSync('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth\\n' > ${ext}`]);
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', ext);
  const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
  return { caPem: read('ca.pem'), keyPem: read('server.key'), certPem: read('server.pem') };
}

export interface LoopbackServer {
  url: string;
  /** Every request the server received, in order (path only). */
  requests: string[];
  /** Answers a path instead of the file tree (an attacker's endless stream, a redirect...). */
  override(pathname: string, handler: RequestListener): void;
  close(): Promise<void>;
}

/** Serves `root` read-only over HTTPS on an ephemeral loopback port. */
export async function serveDirectory(root: string, ca: ThrowawayCa, tlsOptions: https.ServerOptions = {}): Promise<LoopbackServer> {
  const requests: string[] = [];
  const overrides = new Map<string, RequestListener>();
  const server = https.createServer({ key: ca.keyPem, cert: ca.certPem, ...tlsOptions }, (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'https://x').pathname);
    requests.push(pathname);
    const special = overrides.get(pathname);
    if (special) return special(req, res);
    const file = path.join(root, path.normalize(pathname));
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    override: (p, h) => void overrides.set(p, h),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
