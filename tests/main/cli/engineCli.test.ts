// The built `enclave` CLI on the phantoms and corpus: info (geometry of every series), dump
// (names and decoded text, checked against pydicom), render (pixels where the anatomy is).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDicom } from '../../../src-shared/dicom/parse';
import { readInstanceMeta } from '../../../src-shared/dicom/instanceMeta';
import { EXTERNAL } from './fixtures/cliBuild';

const REPO = path.resolve(__dirname, '../../..');
const DATA = path.resolve(REPO, '../shared/data');
const PHANTOMS = path.join(DATA, 'phantoms');
const CORPUS = path.join(DATA, 'corpus');
const OUT = mkdtempSync(path.join(tmpdir(), 'enclave-cli-'));
let cli = '';
let decodeWorker = '';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function enclave(...args: string[]): Run {
  return enclaveWith({}, ...args);
}

function enclaveWith(env: Record<string, string>, ...args: string[]): Run {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(...args: string[]): string {
  const r = enclave(...args);
  if (r.status !== 0) throw new Error(`enclave ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

function readPng(file: string): PNG {
  return PNG.sync.read(readFileSync(file));
}

/** Grey value of the PNG at (column, row). */
function grey(png: PNG, column: number, row: number): number {
  return png.data[(row * png.width + column) * 4]!;
}

beforeAll(async () => {
  // Bundled the way .ci/build.mjs does, into a private folder a concurrent build cannot empty.
  cli = path.join(REPO, 'node_modules/.cache/enclave-cli-test', `enclave-${process.pid}.cjs`);
  decodeWorker = path.join(REPO, 'node_modules/.cache/enclave-cli-test', `decodeWorker-${process.pid}.cjs`);
  await Promise.all(
    [
      ['src-main/cli/enclave.ts', cli],
      ['src-main/services/workers/decodeWorker.ts', decodeWorker],
    ].map(([src, outfile]) =>
      build({ entryPoints: [path.join(REPO, src!)], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node22', external: EXTERNAL, logLevel: 'warning' }),
    ),
  );
});

afterAll(() => {
  rmSync(cli, { force: true });
  rmSync(decodeWorker, { force: true });
});

describe('enclave info', () => {
  it('gives the ct-axial volume geometry of GROUND_TRUTH.md', () => {
    const r = JSON.parse(ok('info', path.join(PHANTOMS, 'ct-axial'), '--json'));
    expect(r.files).toBe(80);
    expect(r.series).toHaveLength(1);
    const s = r.series[0];
    expect(s.modality).toBe('CT');
    expect(s.units).toBe('HU');
    expect(s.volume.dimensions).toEqual([256, 256, 80]);
    s.volume.spacing.forEach((v: number, i: number) => expect(v).toBeCloseTo([0.75, 0.75, 2][i]!, 6));
    s.volume.origin.forEach((v: number, i: number) => expect(v).toBeCloseTo([-95.625, -95.625, -79][i]!, 6));
    s.volume.direction.forEach((v: number, i: number) => expect(v).toBeCloseTo([1, 0, 0, 0, 1, 0, 0, 0, 1][i]!, 6));
    expect(s.warnings).toEqual([]);
  });

  it('lists every series of the patient CD with its own geometry; the DICOMDIR is skipped', () => {
    const r = JSON.parse(ok('info', path.join(PHANTOMS, 'patient-cd'), '--json'));
    expect(r.skipped).toEqual({ NO_IMAGE: 1 });
    const byModality = Object.fromEntries(r.series.map((s: { modality: string }) => [s.modality, s]));
    expect(byModality.CT.volume.dimensions).toEqual([256, 256, 80]);
    expect(byModality.MR.volume.dimensions).toEqual([200, 200, 64]);
    // mr-sagittal: rows run along +y, columns along -z, slices step toward patient Right (-x).
    expect(byModality.MR.volume.direction.map((v: number) => Math.round(v))).toEqual([0, 0, -1, 1, 0, 0, 0, -1, 0]);
    byModality.MR.volume.spacing.forEach((v: number, i: number) => expect(v).toBeCloseTo([0.8, 0.8, 3][i]!, 6));
  });

  it('reports the warnings of broken real-world series (tilt, missing slices, mixed orientation)', () => {
    const r = JSON.parse(ok('info', path.join(CORPUS, 'icometrix-dicom2nifti/failing'), '--json'));
    const codes = new Set(r.series.flatMap((s: { warnings: Array<{ code: string }> }) => s.warnings.map((w) => w.code)));
    for (const c of ['GANTRY_TILT', 'MISSING_SLICES', 'MIXED_ORIENTATION', 'DUPLICATE_POSITIONS']) expect(codes).toContain(c);
  });

  it('prints no patient identifiers', () => {
    const file = path.join(PHANTOMS, 'deid/phi-everywhere.dcm');
    for (const out of [ok('info', file, '--json'), ok('info', file)]) {
      expect(out).not.toContain('ZZPHI');
      expect(out).not.toContain('1.2.826.0.1.3680043.10.1234');
    }
  });

  it('fails with a typed error on a missing path', () => {
    const r = enclave('info', path.join(OUT, 'nope'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('NOT_FOUND');
  });
});

describe('enclave dump', () => {
  it('shows names from the dictionary and PatientName decoded as pydicom decodes it', () => {
    const files = ['chrH31.dcm', 'chrX1.dcm', 'chrRuss.dcm', 'chrGreek.dcm'].map((f) => path.join(CORPUS, 'debian-python3-pydicom/charset_files', f));
    const script = 'import sys, json, pydicom\nprint(json.dumps([str(pydicom.dcmread(f).PatientName) for f in sys.argv[1:]]))';
    let expected: string[];
    try {
      expected = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, ...files], { encoding: 'utf8' })) as string[];
    } catch (e) {
      throw new Error(`this test needs /usr/bin/python3 with pydicom (Debian python3-pydicom): ${String(e)}`, { cause: e });
    }
    files.forEach((f, i) => {
      const out = ok('dump', f);
      const line = out.split('\n').find((l) => l.startsWith('(0010,0010)'));
      expect(line, f).toBeDefined();
      expect(line).toContain('PN PatientName');
      expect(line).toContain(`[${expected[i]}]`);
    });
  });

  it('walks into sequences', () => {
    const out = ok('dump', path.join(PHANTOMS, 'deid/phi-everywhere.dcm'));
    expect(out).toMatch(/\(0040,0275\) SQ RequestAttributesSequence/);
    expect(out).toMatch(/^ {2}> item 1$/m);
    expect(out).toMatch(/^ {4}\(0040,1001\) SH RequestedProcedureID/m);
  });
});

describe('enclave render', () => {
  it('renders a ct-axial slice at 40/400: the lesion bright, the lungs black, the spine white', () => {
    const dir = path.join(PHANTOMS, 'ct-axial');
    // The slice at z = 11 mm cuts the lesion (centre z = 10, radius 10) close to its equator.
    const slice = readdirSync(dir)
      .map((n) => path.join(dir, n))
      .find((f) => readInstanceMeta(parseDicom(new Uint8Array(readFileSync(f)), { untilPixelData: true })).imagePositionPatient?.[2] === 11);
    expect(slice).toBeDefined();
    const out = path.join(OUT, 'ct.png');
    ok('render', slice!, '--window', '40/400', '--out', out);
    const png = readPng(out);
    expect([png.width, png.height]).toEqual([256, 256]);
    // Pixel (column, row) of LPS (x, y): ((x + 95.625) / 0.75, (y + 95.625) / 0.75).
    const at = (x: number, y: number) => grey(png, Math.round((x + 95.625) / 0.75), Math.round((y + 95.625) / 0.75));
    expect(at(20, -20)).toBeGreaterThan(200); // lesion, 200 HU: (200 - 40) / 400 + 0.5 = 0.9 of white
    expect(at(20, -20)).toBeLessThan(255);
    expect(at(-40, -10)).toBe(0); // left lung -800 HU
    expect(at(40, -10)).toBe(0); // right lung
    expect(at(0, 45)).toBe(255); // spine 700 HU
    expect(at(0, 20)).toBeGreaterThan(120); // soft tissue 40 HU = mid grey
    expect(at(0, 20)).toBeLessThan(135);
    expect(at(-92, -92)).toBe(0); // air
  });

  it('accepts a negative window centre and a frame number', () => {
    const file = (readdirSync(path.join(PHANTOMS, 'ct-axial')).map((n) => path.join(PHANTOMS, 'ct-axial', n)))[0]!;
    const out = path.join(OUT, 'lung.png');
    ok('render', file, '--frame', '0', '--window', '-600/1500', '--out', out);
    expect(readPng(out).width).toBe(256);
  });

  it('renders colour (JPEG baseline YBR) close to the reference render shipped with the file', () => {
    const dir = path.join(CORPUS, 'orthanc-tests/TransferSyntaxes');
    const out = path.join(OUT, 'rgb.png');
    ok('render', path.join(dir, '1.2.840.10008.1.2.4.50.dcm'), '--out', out);
    const ours = readPng(out);
    const ref = readPng(path.join(dir, '1.2.840.10008.1.2.4.50.png'));
    expect([ours.width, ours.height]).toEqual([ref.width, ref.height]);
    let diff = 0;
    let colourful = 0;
    for (let i = 0; i < ours.data.length; i += 4) {
      for (let c = 0; c < 3; c++) diff += Math.abs(ours.data[i + c]! - ref.data[i + c]!);
      if (Math.abs(ours.data[i]! - ours.data[i + 2]!) > 40) colourful++;
    }
    // Lossy JPEG: decoders differ by a grey level or two (IDCT and upsampling), never more on average.
    expect(diff / ((ours.data.length / 4) * 3)).toBeLessThan(2);
    expect(colourful).toBeGreaterThan(1000);
  });

  it('fails with typed errors: a frame that does not exist, an unsupported transfer syntax, a bad window', () => {
    const ct = path.join(PHANTOMS, 'deid/phi-everywhere.dcm');
    const r1 = enclave('render', ct, '--frame', '5', '--out', path.join(OUT, 'x.png'));
    expect(r1.status).toBe(1);
    expect(r1.stderr).toMatch(/enclave: DICOM_\w+: frame 5/);
    const r2 = enclave('render', path.join(CORPUS, 'dcm4che/test-data/will-jxl.dcm'), '--out', path.join(OUT, 'x.png'));
    expect(r2.status).toBe(1);
    expect(r2.stderr).toContain('DICOM_UNSUPPORTED_SYNTAX');
    expect(r2.stderr).toContain('JPEG XL');
    const r3 = enclave('render', ct, '--window', '40', '--out', path.join(OUT, 'x.png'));
    expect(r3.status).not.toBe(0);
    expect(r3.stderr).toContain('CENTRE/WIDTH');
  });

  it('decodes a compressed frame in the bundled decode worker, under its time budget', () => {
    const jpeg = path.join(CORPUS, 'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm');
    const inProcess = path.join(OUT, 'jpeg-here.png');
    const inWorker = path.join(OUT, 'jpeg-worker.png');
    ok('render', jpeg, '--out', inProcess);
    const r = enclaveWith({ ENCLAVE_DECODE_WORKER: decodeWorker }, 'render', jpeg, '--out', inWorker);
    expect(r.status, r.stderr).toBe(0);
    expect(readPng(inWorker).data.equals(readPng(inProcess).data)).toBe(true);
    // A worker whose codec spins forever once the decode starts stands for a codec stuck on a hostile frame: the
    // budget ends it, the command fails typed instead of hanging; an uncompressed frame needs no codec and renders.
    const stuck = path.join(OUT, 'stuck-worker.cjs');
    writeFileSync(
      stuck,
      "const { parentPort } = require('node:worker_threads');\n" +
        "parentPort.on('message', (m) => { if (m.type === 'decode') { parentPort.postMessage({ type: 'decoding', id: m.id, samples: 1 }); for (;;) {} } });\n",
    );
    const t0 = Date.now();
    const hung = enclaveWith({ ENCLAVE_DECODE_WORKER: stuck }, 'render', jpeg, '--out', path.join(OUT, 'never.png'));
    expect(hung.status).toBe(1);
    expect(hung.stderr).toMatch(/enclave: DICOM_DECODE/);
    expect(Date.now() - t0).toBeLessThan(60_000);
    const plain = (readdirSync(path.join(PHANTOMS, 'ct-axial')).map((n) => path.join(PHANTOMS, 'ct-axial', n)))[0]!;
    const r2 = enclaveWith({ ENCLAVE_DECODE_WORKER: stuck }, 'render', plain, '--out', path.join(OUT, 'plain.png'));
    expect(r2.status, r2.stderr).toBe(0);
  }, 120_000);
});
