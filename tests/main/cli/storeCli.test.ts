// The `enclave` CLI from its bundle, as a user runs it: init (recovery key written 0600), import of every
// phantom and the PHI-everywhere file, then nothing identifying anywhere on disk (data directory, the
// child's TMPDIR and HOME); ls, verify catching a flipped byte, purge.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allFiles, filesContaining } from '../store/fixtures/tempStore';
import { CORPUS, PHANTOMS, tempDir } from '../import/fixtures/importFixtures';
import { buildCli, isolatedEnv, type BuiltCli } from './fixtures/cliBuild';

const PHI_TOKENS = ['Phantom^Patricia', 'PH-0001', 'ZZPHI', '19310417', '1.2.826.0.1.3680043.10.1234'];

let cli: BuiltCli;
let root: string;
let env: Record<string, string>;
let dataDir: string;
let rk: string;

beforeAll(async () => {
  cli = await buildCli();
  root = tempDir('cli');
  for (const d of ['home', 'tmp']) mkdirSync(path.join(root, d));
  dataDir = path.join(root, 'data');
  rk = path.join(root, 'recovery.key');
  env = isolatedEnv(path.join(root, 'home'), path.join(root, 'tmp'), { ENCLAVE_DATA_DIR: dataDir });
});

afterAll(() => {
  cli?.cleanup();
  rmSync(root, { recursive: true, force: true });
});

function ok(args: string[]) {
  const r = cli.run(args, env);
  expect(r.status, `enclave ${args[0]}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

interface LsStudy {
  studyId: string;
  patientName: string;
  seriesCount: number;
  instanceCount: number;
  series: { instanceCount: number }[];
}

describe('enclave CLI', () => {
  it('init writes the recovery key once, mode 0600, and refuses to overwrite it', () => {
    ok(['init', '--no-keychain', '--recovery-key-out', rk]);
    expect(statSync(rk).mode & 0o777).toBe(0o600);
    expect(readFileSync(rk, 'utf8').trim()).toMatch(/^([0-9A-Z]{5}-){10}[0-9A-Z]{5}$/);
    const again = cli.run(['init', '--no-keychain', '--recovery-key-out', rk], env);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('STORE_EXISTS');
  });

  it('without the recovery key and without a keychain the store does not open, and says why', () => {
    const r = cli.run(['ls'], env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/KEYCHAIN_UNAVAILABLE|DB_KEY_UNAVAILABLE/);
  });

  it('imports every phantom folder and the PHI file, and no identifying byte lands on disk', () => {
    const folders = readdirSync(PHANTOMS)
      .map((f) => path.join(PHANTOMS, f))
      .filter((f) => statSync(f).isDirectory());
    const out = ok(['import', '--recovery-key-file', rk, '--json', ...folders, path.join(PHANTOMS, 'deid/phi-everywhere.dcm')]);
    const report = JSON.parse(out) as { added: number; duplicates: number; conflicts: number; conflictFiles: string[] };
    // ct-axial 80 + ct-oblique 80 + mr-sagittal 64; patient-cd repeats ct-axial and mr-sagittal; phi-everywhere
    // reuses a ct-axial slice's SOP Instance UID with other bytes: kept aside and reported, not stored as an image.
    expect(report.added).toBe(224);
    expect(report.duplicates).toBe(144);
    expect(report.conflicts).toBe(1);
    expect(report.conflictFiles).toEqual([path.join(PHANTOMS, 'deid/phi-everywhere.dcm')]);

    const studies = JSON.parse(ok(['ls', '--json', '--recovery-key-file', rk])) as LsStudy[];
    expect(studies.reduce((s, x) => s + x.instanceCount, 0)).toBe(224);

    // Every file the app wrote: the data directory, the child's temp folder and home.
    const places = [dataDir, path.join(root, 'tmp'), path.join(root, 'home')];
    expect(allFiles(path.join(root, 'tmp'))).toEqual([]);
    for (const place of places) {
      for (const token of PHI_TOKENS) expect(filesContaining(place, token), `${token} in ${place}`).toEqual([]);
    }
  });

  it('verify finds a flipped byte, the image is refused, and re-importing the original heals it', () => {
    expect(ok(['verify', '--recovery-key-file', rk])).toContain('all intact');
    const blobs = allFiles(path.join(dataDir, 'blobs'));
    const victim = blobs[Math.floor(blobs.length / 2)]!;
    const b = readFileSync(victim);
    b[b.length >> 1]! ^= 0x01;
    writeFileSync(victim, b);
    const r = cli.run(['verify', '--json', '--recovery-key-file', rk], env);
    expect(r.status).toBe(2);
    expect((JSON.parse(r.stdout) as { tampered: string[] }).tampered).toHaveLength(1);

    const folders = ['ct-axial', 'ct-oblique', 'mr-sagittal', 'deid/phi-everywhere.dcm'].map((f) => path.join(PHANTOMS, f));
    const report = JSON.parse(ok(['import', '--json', '--recovery-key-file', rk, ...folders])) as { added: number };
    expect(report.added).toBe(1);
    expect(ok(['verify', '--recovery-key-file', rk])).toContain('all intact');
  });

  it('purge --study removes one study, purge --all the rest', () => {
    expect(cli.run(['purge', '--recovery-key-file', rk], env).stderr).toContain('INVALID_REQUEST');
    ok(['import', '--recovery-key-file', rk, path.join(CORPUS, 'orthanc-tests/Encodings/DavidClunie/DICOMDIR')]);
    const before = JSON.parse(ok(['ls', '--json', '--recovery-key-file', rk])) as LsStudy[];
    expect(before.length).toBe(12);
    ok(['purge', '--study', before[0]!.studyId, '--recovery-key-file', rk]);
    const after = JSON.parse(ok(['ls', '--json', '--recovery-key-file', rk])) as LsStudy[];
    expect(after.map((s) => s.studyId)).toEqual(before.slice(1).map((s) => s.studyId));
    ok(['purge', '--all', '--recovery-key-file', rk]);
    expect(ok(['ls', '--recovery-key-file', rk])).toContain('empty');
    expect(allFiles(path.join(dataDir, 'blobs'))).toEqual([]);
  });
});
