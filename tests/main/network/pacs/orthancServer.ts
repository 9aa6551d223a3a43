// A real archive for the PACS tests: Debian's Orthanc with the DICOMweb plugin, on loopback ports, storage in a
// temporary folder, remote access off, started by the test and killed after it. Instances go in through its
// REST API (POST /instances), exactly as stored bytes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';
const GDCM_PLUGIN = '/usr/share/orthanc/plugins/libOrthancGdcm.so';

export interface OrthancServer {
  httpPort: number;
  dicomPort: number;
  aeTitle: string;
  /** http://127.0.0.1:PORT/dicom-web */
  dicomwebUrl: string;
  /** POSTs one file to /instances; returns Orthanc's answer. */
  upload(file: string): Promise<{ ID: string; Status: string }>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function request(port: number, method: string, p: string, body?: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers: body ? { 'content-type': 'application/dicom', 'content-length': body.length } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface OrthancOptions {
  /** DIMSE peers Orthanc accepts (C-GET/C-FIND callers): AE title -> [AE, host, port]. */
  modalities?: Record<string, [string, string, number]>;
  /** DICOM TLS on the DIMSE port (Orthanc's DICOM TLS is DCMTK's, which works here, unlike its https). */
  dicomTls?: { certPem: string; keyPem: string; caPem: string };
}

export async function startOrthanc(o: OrthancOptions = {}): Promise<OrthancServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'enclave-orthanc-'));
  const httpPort = await freePort();
  const dicomPort = await freePort();
  const aeTitle = 'ORTHANC';
  const config = {
    Name: 'EnclaveTest',
    StorageDirectory: path.join(dir, 'storage'),
    IndexDirectory: path.join(dir, 'storage'),
    HttpPort: httpPort,
    DicomPort: dicomPort,
    DicomAet: aeTitle,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    DicomServerEnabled: true,
    DicomCheckCalledAet: true,
    DicomAlwaysAllowEcho: true,
    DicomAlwaysAllowStore: false,
    DicomModalities: o.modalities ?? {},
    DicomCheckModalityHost: true,
    HttpCompressionEnabled: false,
    StorageCompression: false,
    ConcurrentJobs: 1,
    Plugins: [DICOMWEB_PLUGIN, GDCM_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: false, StudiesMetadata: 'Full', SeriesMetadata: 'Full' },
  };
  if (o.dicomTls) {
    for (const [f, v] of [['tls.pem', o.dicomTls.certPem], ['tls.key', o.dicomTls.keyPem], ['ca.pem', o.dicomTls.caPem]] as const) writeFileSync(path.join(dir, f), v);
    Object.assign(config, {
      DicomTlsEnabled: true,
      DicomTlsCertificate: path.join(dir, 'tls.pem'),
      DicomTlsPrivateKey: path.join(dir, 'tls.key'),
      DicomTlsTrustedCertificates: path.join(dir, 'ca.pem'),
      DicomTlsRemoteCertificateRequired: false,
    });
  }
  const configFile = path.join(dir, 'orthanc.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const child: ChildProcess = spawn('Orthanc', [configFile], { stdio: 'ignore' });
  let exited = false;
  child.on('exit', () => (exited = true));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exited) throw new Error('Orthanc exited at start');
    const ok = await request(httpPort, 'GET', '/system').then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('Orthanc did not become ready in 15 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    httpPort,
    dicomPort,
    aeTitle,
    dicomwebUrl: `http://127.0.0.1:${httpPort}/dicom-web`,
    upload: async (file) => {
      const r = await request(httpPort, 'POST', '/instances', readFileSync(file));
      if (r.status !== 200) throw new Error(`Orthanc refused an upload: HTTP ${r.status}`);
      return JSON.parse(r.body.toString('utf8')) as { ID: string; Status: string };
    },
    stop: async () => {
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await gone;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
