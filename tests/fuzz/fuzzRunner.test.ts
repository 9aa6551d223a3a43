// The fuzzer's own alarm bells: a stand-in child that misbehaves on purpose (an untyped error, a
// hang, a crash, a memory blow-up) must be reported as such, each with its reproducer on disk,
// and the pool must carry on with fresh children. Also: inputs depend only on (seed, iteration).
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFuzz } from './fuzzRunner';
import { DEFAULT_CODESTREAM_SHARE, fuzzInput } from './fuzzInputs';
import { loadSeedCorpus } from './seedCorpus';

const DATA = path.resolve(__dirname, '../../../shared/data');

/** Speaks the child protocol of fuzzChild.ts; iteration i % 10 picks the misbehaviour. */
const FAKE_CHILD = `
process.send({ type: 'ready', seeds: 1 });
process.on('message', (m) => {
  if (m.type === 'stop') { process.disconnect(); return; }
  const i = m.iteration;
  const base = { type: 'result', iteration: i, typed: [], wrapped: [], passed: ['parse', 'assemble'], structureRefused: 0, traps: 0, codecThrows: 0, peakRssMb: 10, overMemory: false };
  switch (i % 10) {
    case 1: process.send({ ...base, untyped: { stage: 'decode', message: 'TypeError: x is undefined', signature: 'TypeError @ decode', stack: '' } }); break;
    case 2: break; // never answers: a hang
    case 3: process.exit(7); break; // dies: a crash
    case 4: process.send({ ...base, peakRssMb: 5000, overMemory: true }); break;
    case 5: process.send({ ...base, typed: [{ stage: 'decode', code: 'DICOM_DECODE' }, { stage: 'decode', code: 'DICOM_DECODE' }], structureRefused: 2 }); break;
    case 6: process.send({ ...base, typed: [{ stage: 'decode', code: 'DICOM_DECODE' }], traps: 1 }); break;
    default: process.send({ ...base, typed: [{ stage: 'parse', code: 'DICOM_PARSE' }] });
  }
});
`;

describe('fuzz runner', () => {
  it('reports untyped errors, hangs, crashes and memory blow-ups with reproducers, and keeps going', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'enclave-fuzz-runner-'));
    const childScript = path.join(dir, 'fakeChild.cjs');
    writeFileSync(childScript, FAKE_CHILD);
    const outDir = path.join(dir, 'out');
    const report = await runFuzz({ iterations: 10, seed: 5, dataRoot: DATA, childScript, outDir, workers: 2, timeoutMs: 1500 });
    expect(report.iterations).toBe(10);
    expect([report.untyped, report.hangs, report.crashes, report.memory]).toEqual([1, 1, 1, 1]);
    const kinds = Object.fromEntries(report.findings.map((f) => [f.kind, f]));
    expect(kinds['untyped']).toMatchObject({ iteration: 1, stage: 'decode' });
    expect(kinds['hang']).toMatchObject({ iteration: 2 });
    expect(kinds['crash']!.message).toContain('code 7');
    expect(kinds['memory']).toMatchObject({ iteration: 4 });
    // Inputs (not frames) with a structure refusal, with a codec trap.
    expect([report.structureRefused, report.traps, report.codecThrows]).toEqual([1, 1, 0]);
    // Each reproducer is exactly the input of that iteration, regenerated from (seed, iteration).
    const corpus = loadSeedCorpus({ dataRoot: DATA });
    for (const f of report.findings) {
      expect(f.files.length).toBeGreaterThan(0);
      const expected = fuzzInput(corpus, 5, f.iteration, DEFAULT_CODESTREAM_SHARE).inputs;
      f.files.forEach((file, k) => expect(Buffer.compare(readFileSync(file), Buffer.from(expected[k]!))).toBe(0));
      expect(existsSync(f.files[0]!.replace(/(-\d+)?\.dcm$/, '.txt'))).toBe(true);
    }
  });

  it('derives each input from (seed, iteration) alone', () => {
    const corpus = loadSeedCorpus({ dataRoot: DATA });
    const a = [7, 123, 9999].map((i) => fuzzInput(corpus, 42, i));
    const b = [9999, 123, 7].map((i) => fuzzInput(corpus, 42, i)).reverse();
    a.forEach((x, k) => {
      expect(x.what).toBe(b[k]!.what);
      expect(x.inputs.map((u) => Buffer.from(u).toString('base64'))).toEqual(b[k]!.inputs.map((u) => Buffer.from(u).toString('base64')));
    });
    expect(fuzzInput(corpus, 43, 7).what).not.toBe(a[0]!.what);
    // Structure-aware codestream mutations come from their own stream: share 0 leaves every iteration as it was.
    const withShare = Array.from({ length: 40 }, (_, i) => fuzzInput(corpus, 42, i, 0.5));
    expect(withShare.filter((x) => x.what.startsWith('codestream: ')).length).toBeGreaterThan(8);
    withShare.forEach((x, i) => {
      const again = fuzzInput(corpus, 42, i, 0.5);
      expect(again.what).toBe(x.what);
      if (!x.what.startsWith('codestream: ')) expect(x.what).toBe(fuzzInput(corpus, 42, i).what);
    });
  });
});
