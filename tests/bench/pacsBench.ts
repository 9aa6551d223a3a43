// PACS retrieve of the 512x512x400 bench CT from a real Orthanc on loopback into the encrypted cache, over WADO-RS
// and over C-GET, against the plain-file tools doing the same transfer: curl of the same WADO-RS request (one
// multipart file) and dcmtk's getscu (one file per instance). Goal: <= 1.5x the plain-file tool while encrypting.
import { spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EgressGate } from '../../src-main/services/network/egress';
import { PacsService } from '../../src-main/services/network/pacs/pacsService';
import { POLICY_DEFAULTS, type EffectivePolicy } from '../../src-main/services/policy/policySchema';
import { initStore, openStore } from '../../src-main/services/store/openStore';
import { startOrthanc } from '../main/network/pacs/orthancServer';
import type { BenchRow } from './benchTypes';

const GROUP = 'pacs retrieve 512x512x400 CT';
const REPO = typeof __dirname === 'string' ? path.resolve(__dirname, '../..') : process.cwd();
const MAKE_PHANTOMS = path.resolve(REPO, '../shared/tools/make_phantoms.py');
const WADO_ACCEPT = 'multipart/related; type="application/dicom"; transfer-syntax=*';

function uid(file: string, tag: string): string {
  const r = spawnSync('dcmdump', ['-q', '+P', tag, file], { encoding: 'utf8' });
  const m = /\[([0-9.]+)\]/.exec(r.stdout);
  if (!m) throw new Error(`no ${tag} in a bench file`);
  return m[1]!;
}

async function enclaveRetrieve(work: string, name: string, policy: EffectivePolicy, protocol: 'dicomweb' | 'dimse', studyUid: string, seriesUid: string): Promise<{ seconds: number; added: number }> {
  const dataDir = path.join(work, `enclave-${name}`);
  const { recoveryKey } = await initStore({ dataDir, keyStore: null });
  const store = await openStore({ dataDir, keyStore: null, recoveryKey });
  try {
    const gate = new EgressGate({ policy: () => policy, audit: store.audit });
    const pacs = new PacsService({ gate, policy: () => policy, secrets: { get: async () => null, set: async () => undefined, delete: async () => false }, audit: store.audit });
    const t0 = performance.now();
    const r = await pacs.retrieve('Bench', { studyUid, seriesUid }, store, { protocol });
    return { seconds: (performance.now() - t0) / 1000, added: r.added };
  } finally {
    await store.close();
  }
}

/**
 * The limit of any encrypting retrieve: one process SHA-256es the response, AES-256-GCMs it, writes the ciphertext
 * and fsyncs it (no parse, no database, one file), flushing to disk behind the writes (an fdatasync every 16 MiB on
 * the thread pool: 0.74 s instead of 0.9-1.1 s for the bench CT). Two ways in: `- FILE` takes the response piped
 * from curl (two processes, both cores; stdin read synchronously in 1 MiB chunks, the fastest way Node takes a
 * pipe), `URL ACCEPT FILE` receives it itself over Node's http (no pipe between processes).
 */
const LIMIT_SINK = `
const { createHash, createCipheriv, randomBytes } = require('node:crypto');
const fs = require('node:fs');
const args = process.argv.slice(1);
const out = fs.openSync(args[args.length - 1], 'w');
const hash = createHash('sha256');
const cipher = createCipheriv('aes-256-gcm', randomBytes(32), randomBytes(12));
let unsynced = 0;
const take = (part) => {
  hash.update(part);
  fs.writeSync(out, cipher.update(part));
  unsynced += part.length;
  if (unsynced >= 16 << 20) { unsynced = 0; fs.fdatasync(out, () => {}); }
};
const finish = () => {
  hash.digest();
  fs.writeSync(out, cipher.final());
  fs.writeSync(out, cipher.getAuthTag());
  fs.fsyncSync(out);
  fs.closeSync(out);
  process.exit(0);
};
if (args[0] === '-') {
  const chunk = Buffer.allocUnsafe(1 << 20);
  for (;;) {
    let n;
    try { n = fs.readSync(0, chunk, 0, chunk.length, null); } catch (e) { if (e.code === 'EAGAIN') continue; throw e; }
    if (n === 0) break;
    take(chunk.subarray(0, n));
  }
  finish();
} else {
  require('node:http').get(args[0], { headers: { Accept: args[1] } }, (res) => {
    if (res.statusCode !== 200) process.exit(2);
    res.on('data', take);
    res.on('end', finish);
  }).on('error', () => process.exit(3));
}
`;

function timed(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${(r.stderr || r.stdout).slice(-300)}`);
  return (performance.now() - t0) / 1000;
}

export async function runPacsBench(): Promise<BenchRow[]> {
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'enclave-pacs-bench-'));
  const orthanc = await startOrthanc({ modalities: { ENCLAVE: ['ENCLAVE', '127.0.0.1', 11112], GETSCU: ['GETSCU', '127.0.0.1', 11113] } });
  try {
    const made = spawnSync('/usr/bin/python3', [MAKE_PHANTOMS, work, '--bench', '512', '400'], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`make_phantoms.py failed: ${made.stderr.slice(-500)}`);
    const dir = path.join(work, 'ct-bench-512x512x400');
    const files = (await fsp.readdir(dir)).sort().map((f) => path.join(dir, f));
    const bytes = (await Promise.all(files.map((f) => fsp.stat(f)))).reduce((s, st) => s + st.size, 0);
    for (const f of files) await orthanc.upload(f);
    const studyUid = uid(files[0]!, '0020,000d');
    const seriesUid = uid(files[0]!, '0020,000e');
    const policy: EffectivePolicy = {
      ...POLICY_DEFAULTS,
      PacsNodes: [{ name: 'Bench', tls: false, aeTitle: orthanc.aeTitle, callingAeTitle: 'ENCLAVE', host: '127.0.0.1', port: orthanc.dicomPort, dicomweb: { url: orthanc.dicomwebUrl } }],
    };

    const wado = await enclaveRetrieve(work, 'wado', policy, 'dicomweb', studyUid, seriesUid);
    const cget = await enclaveRetrieve(work, 'cget', policy, 'dimse', studyUid, seriesUid);
    if (wado.added !== files.length || cget.added !== files.length) throw new Error(`retrieved ${wado.added} / ${cget.added} of ${files.length}`);
    const curl = timed('curl', ['-sf', '-H', `Accept: ${WADO_ACCEPT}`, '-o', path.join(work, 'curl.multipart'), `${orthanc.dicomwebUrl}/studies/${studyUid}/series/${seriesUid}`]);
    const wadoUrl = `${orthanc.dicomwebUrl}/studies/${studyUid}/series/${seriesUid}`;
    const limitFile = path.join(work, 'limit.bin');
    const written = async (how: string, seconds: number) => {
      const n = (await fsp.stat(limitFile)).size;
      if (n < bytes) throw new Error(`the limit (${how}) wrote ${n} bytes for ${bytes} of instances`);
      return seconds;
    };
    // The faster of two ways to do it: curl piped into the sink, or the sink receiving the response itself.
    const viaCurl = await written('curl | sink', timed('bash', ['-c', 'set -o pipefail; curl -sf -H "$1" "$2" | "$3" -e "$4" - "$5"', 'limit', `Accept: ${WADO_ACCEPT}`, wadoUrl, process.execPath, LIMIT_SINK, limitFile]));
    const viaHttp = await written('http sink', timed(process.execPath, ['-e', LIMIT_SINK, wadoUrl, WADO_ACCEPT, limitFile]));
    process.stderr.write(`  limit: curl | sink ${viaCurl.toFixed(3)} s, http sink ${viaHttp.toFixed(3)} s\n`);
    const limit = Math.min(viaCurl, viaHttp);
    const getDir = path.join(work, 'getscu');
    await fsp.mkdir(getDir);
    const getscu = timed('getscu', ['-aet', 'GETSCU', '-aec', orthanc.aeTitle, '-S', '-k', 'QueryRetrieveLevel=SERIES', '-k', `StudyInstanceUID=${studyUid}`, '-k', `SeriesInstanceUID=${seriesUid}`, '-od', getDir, '127.0.0.1', String(orthanc.dicomPort)]);
    const got = (await fsp.readdir(getDir)).length;
    if (got !== files.length) throw new Error(`getscu wrote ${got} of ${files.length} files`);

    const mb = bytes / 1e6;
    const vsCurl = wado.seconds / curl;
    const vsGetscu = cget.seconds / getscu;
    const vsLimit = wado.seconds / limit;
    const limitVsCurl = limit / curl;
    return [
      { group: GROUP, name: `Enclave WADO-RS into the encrypted cache (${files.length} instances, ${mb.toFixed(0)} MB)`, value: wado.seconds, unit: 's' },
      { group: GROUP, name: 'curl, same WADO-RS request, plain file', value: curl, unit: 's' },
      { group: GROUP, name: 'Enclave WADO-RS time / curl time', value: vsCurl, unit: '', ratio: vsCurl, target: '<= 1.5x', pass: vsCurl <= 1.5 },
      { group: GROUP, name: 'limit: receive + SHA-256 + AES-256-GCM + write + fsync (no parse, no database)', value: limit, unit: 's' },
      { group: GROUP, name: 'limit time / curl time (the least any encrypting retrieve can reach)', value: limitVsCurl, unit: '', ratio: limitVsCurl },
      { group: GROUP, name: 'Enclave WADO-RS time / limit', value: vsLimit, unit: '', ratio: vsLimit },
      { group: GROUP, name: 'Enclave C-GET into the encrypted cache', value: cget.seconds, unit: 's' },
      { group: GROUP, name: "dcmtk getscu, plain files", value: getscu, unit: 's' },
      { group: GROUP, name: 'Enclave C-GET time / getscu time', value: vsGetscu, unit: '', ratio: vsGetscu, target: '<= 1.5x', pass: vsGetscu <= 1.5 },
      { group: GROUP, name: 'Enclave WADO-RS throughput', value: mb / wado.seconds, unit: 'MB/s' },
    ];
  } finally {
    await orthanc.stop();
    await fsp.rm(work, { recursive: true, force: true });
  }
}
