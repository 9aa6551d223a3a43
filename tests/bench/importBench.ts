// Import throughput on a 512x512x400 CT (made by make_phantoms.py --bench): Enclave's import (worker
// thread, encrypted store) against Orthanc (Debian package, loopback only, files POSTed to /instances)
// and against the physical limit: read + SHA-256 + AES-256-GCM of the same bytes in one pass (the first,
// awaited-read figure, kept for comparison), and the honest one: synchronous reads, hash, encrypt, write
// and fsync, on one thread and on as many threads as the import may use (physicalLimit.ts).
// This file is the only place in the project allowed to speak HTTP, and only to 127.0.0.1.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runImportInWorker } from '../../src-main/services/import/importRunner';
import { unlockDataKey } from '../../src-main/services/keys/dataKeyVault';
import { initStore } from '../../src-main/services/store/openStore';
import type { BenchRow } from './benchTypes';
import { measurePhysicalLimit } from './physicalLimit';

const GROUP = 'import 512x512x400 CT';
// The repo root: dist/bench/ when bundled (npm run bench), the working directory under tsx.
const REPO = typeof __dirname === 'string' ? path.resolve(__dirname, '../..') : process.cwd();
const MAKE_PHANTOMS = path.resolve(REPO, '../shared/tools/make_phantoms.py');

async function listFiles(dir: string): Promise<string[]> {
  return (await fsp.readdir(dir)).sort().map((f) => path.join(dir, f));
}

/** read + SHA-256 + AES-256-GCM, one pass per file, nothing written: what any encrypting import must at least do. */
async function physicalLimit(files: string[]): Promise<number> {
  const key = randomBytes(32);
  const t0 = performance.now();
  let sink = 0;
  for (const f of files) {
    const bytes = await fsp.readFile(f);
    const h = createHash('sha256').update(bytes).digest();
    const c = createCipheriv('aes-256-gcm', key, randomBytes(12));
    const ct = c.update(bytes);
    c.final();
    sink ^= h[0]! ^ ct[0]! ^ c.getAuthTag()[0]!;
  }
  if (sink === 256) throw new Error('unreachable');
  return (performance.now() - t0) / 1000;
}

async function enclaveImport(dir: string, work: string): Promise<{ seconds: number; added: number }> {
  const dataDir = path.join(work, 'enclave-data');
  const { recoveryKey } = await initStore({ dataDir, keyStore: null });
  const { dataKey } = await unlockDataKey({ keyFilePath: path.join(dataDir, 'keys.json'), keyStore: null, recoveryKey });
  const t0 = performance.now();
  const report = await runImportInWorker([dir], { kind: 'store', dataDir, dataKey });
  return { seconds: (performance.now() - t0) / 1000, added: report.added };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function request(port: number, method: string, urlPath: string, body?: Buffer, agent?: http.Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path: urlPath, agent, headers: body ? { 'Content-Type': 'application/dicom', 'Content-Length': body.length } : {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    if (body) req.end(body);
    else req.end();
  });
}

async function orthancImport(files: string[], work: string): Promise<{ seconds: number; stored: number }> {
  if (spawnSync('sh', ['-c', 'command -v Orthanc']).status !== 0) throw new Error('Orthanc is not installed (apt: orthanc)');
  const port = await freePort();
  const root = path.join(work, 'orthanc');
  await fsp.mkdir(path.join(root, 'storage'), { recursive: true });
  const config = {
    Name: 'EnclaveBench',
    StorageDirectory: path.join(root, 'storage'),
    IndexDirectory: path.join(root, 'storage'),
    HttpPort: port,
    HttpServerEnabled: true,
    DicomServerEnabled: false,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    Plugins: [],
    StorageCompression: false,
  };
  const configFile = path.join(root, 'config.json');
  await fsp.writeFile(configFile, JSON.stringify(config));
  const orthanc: ChildProcess = spawn('Orthanc', [configFile], { stdio: 'ignore', cwd: root });
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ok = await request(port, 'GET', '/system').then((r) => r.status === 200, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error('Orthanc did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    // The fairest client: keep-alive connections and as many uploads in flight as cores.
    const agent = new http.Agent({ keepAlive: true, maxSockets: os.availableParallelism() * 2 });
    const t0 = performance.now();
    let next = 0;
    let stored = 0;
    const worker = async () => {
      while (next < files.length) {
        const f = files[next++]!;
        const r = await request(port, 'POST', '/instances', await fsp.readFile(f), agent);
        if (r.status !== 200) throw new Error(`Orthanc refused an instance (${r.status})`);
        stored++;
      }
    };
    await Promise.all(Array.from({ length: os.availableParallelism() * 2 }, worker));
    const seconds = (performance.now() - t0) / 1000;
    agent.destroy();
    return { seconds, stored };
  } finally {
    orthanc.kill('SIGTERM');
    await new Promise((r) => orthanc.once('exit', r));
  }
}

export async function runImportBench(): Promise<BenchRow[]> {
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'enclave-import-bench-'));
  try {
    const made = spawnSync('/usr/bin/python3', [MAKE_PHANTOMS, work, '--bench', '512', '400'], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`make_phantoms.py failed: ${made.stderr.slice(-500)}`);
    const dir = path.join(work, 'ct-bench-512x512x400');
    const files = await listFiles(dir);
    const bytes = (await Promise.all(files.map((f) => fsp.stat(f)))).reduce((s, st) => s + st.size, 0);
    const mb = bytes / 1e6;

    const limit = await physicalLimit(files);
    const honestOut = path.join(work, 'limit');
    await fsp.mkdir(honestOut);
    // The import runs its work in one worker thread beside main: hold it against both cores at most.
    const honest = await measurePhysicalLimit(files, honestOut, Math.min(2, os.availableParallelism()));
    await fsp.rm(honestOut, { recursive: true, force: true });
    const enclave = await enclaveImport(dir, work);
    if (enclave.added !== files.length) throw new Error(`Enclave imported ${enclave.added} of ${files.length}`);
    const orthanc = await orthancImport(files, work);
    if (orthanc.stored !== files.length) throw new Error(`Orthanc stored ${orthanc.stored} of ${files.length}`);

    const vsOrthanc = enclave.seconds / orthanc.seconds;
    const vsLimit = enclave.seconds / limit;
    const vsHonest = enclave.seconds / honest.seconds;
    return [
      { group: GROUP, name: `Enclave import (${files.length} files, ${mb.toFixed(0)} MB)`, value: enclave.seconds, unit: 's' },
      { group: GROUP, name: 'Orthanc 1.10 POST /instances (loopback)', value: orthanc.seconds, unit: 's' },
      { group: GROUP, name: 'physical limit: read + SHA-256 + AES-256-GCM (awaited reads)', value: limit, unit: 's' },
      { group: GROUP, name: 'honest limit: sync read + SHA-256 + AES-256-GCM + write + fsync, 1 thread', value: honest.oneThread, unit: 's' },
      { group: GROUP, name: `honest limit: the same over ${honest.threads} threads`, value: honest.parallel, unit: 's' },
      { group: GROUP, name: 'Enclave time / Orthanc time', value: vsOrthanc, unit: '', ratio: vsOrthanc, target: '<= 1x', pass: vsOrthanc <= 1 },
      { group: GROUP, name: 'Enclave time / physical limit (awaited reads)', value: vsLimit, unit: '', ratio: vsLimit },
      { group: GROUP, name: 'Enclave time / honest limit', value: vsHonest, unit: '', ratio: vsHonest, target: '<= 2x', pass: vsHonest <= 2 },
      { group: GROUP, name: 'Enclave throughput', value: mb / enclave.seconds, unit: 'MB/s' },
    ];
  } finally {
    await fsp.rm(work, { recursive: true, force: true });
  }
}
