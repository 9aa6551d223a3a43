// Debian's nginx-light as the TLS terminator in front of the test Orthanc (whose own TLS crashes on Debian 12), as
// hospitals often run it: https on a loopback port with a throwaway CA's certificate, basic auth (or a bearer token
// checked against the one it expects), and a second server that offers only TLS 1.1 (what a non-downgrading client
// must refuse). Started and stopped by the test.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ThrowawayCa } from '../loopbackHttps';
import { freePort } from './orthancServer';

export interface NginxTls {
  /** https://127.0.0.1:PORT/dicom-web (TLS 1.2+, basic auth) */
  dicomwebUrl: string;
  /** The same behind a server that speaks TLS 1.1 at most. */
  oldTlsUrl: string;
  stop(): Promise<void>;
}

type NginxAuth = { user: string; password: string } | { bearer: string };

export async function startNginxTls(o: { upstreamPort: number; ca: ThrowawayCa } & NginxAuth): Promise<NginxTls> {
  const dir = mkdtempSync(path.join(tmpdir(), 'enclave-nginx-'));
  mkdirSync(path.join(dir, 'logs'));
  writeFileSync(path.join(dir, 'server.pem'), o.ca.certPem);
  writeFileSync(path.join(dir, 'server.key'), o.ca.keyPem);
  let auth: string;
  if ('bearer' in o) {
    if (!/^[A-Za-z0-9._~+/-]+=*$/.test(o.bearer)) throw new Error('a bearer token is token68 characters');
    auth = `if ($http_authorization != "Bearer ${o.bearer}") { return 401; }`;
  } else {
    const hash = execFileSync('openssl', ['passwd', '-apr1', o.password], { encoding: 'utf8' }).trim();
    writeFileSync(path.join(dir, 'htpasswd'), `${o.user}:${hash}\n`);
    auth = `auth_basic "PACS";
        auth_basic_user_file ${dir}/htpasswd;`;
  }
  const port = await freePort();
  const oldPort = await freePort();
  const location = `
      location /dicom-web/ {
        ${auth}
        proxy_pass http://127.0.0.1:${o.upstreamPort};
        proxy_set_header Authorization "";
        proxy_set_header Forwarded "proto=https;host=127.0.0.1:${port}";
        proxy_buffering off;
        proxy_http_version 1.1;
      }`;
  const conf = `
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${dir}/server.pem;
    ssl_certificate_key ${dir}/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ${location}
  }
  server {
    listen 127.0.0.1:${oldPort} ssl;
    ssl_certificate ${dir}/server.pem;
    ssl_certificate_key ${dir}/server.key;
    ssl_protocols TLSv1 TLSv1.1;
    ssl_ciphers DEFAULT:@SECLEVEL=0;
    ${location}
  }
}
`;
  writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const child: ChildProcess = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: 'ignore' });
  let exited = false;
  child.on('exit', () => (exited = true));
  const deadline = Date.now() + 10_000;
  // Ready when the pid file is written (after the listening sockets are bound).
  for (;;) {
    if (exited) throw new Error(`nginx exited at start: ${readFileSync(path.join(dir, 'logs/error.log'), 'utf8')}`);
    try {
      readFileSync(path.join(dir, 'nginx.pid'));
      break;
    } catch {
      if (Date.now() > deadline) throw new Error('nginx did not start in 10 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    dicomwebUrl: `https://127.0.0.1:${port}/dicom-web`,
    oldTlsUrl: `https://127.0.0.1:${oldPort}/dicom-web`,
    stop: async () => {
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
