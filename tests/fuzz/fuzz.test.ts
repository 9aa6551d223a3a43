// 20,000 fuzz iterations (issue 3, "Done when"): parse + decode + render + volume assembly of
// mutated corpus files in child processes with time and memory limits; none may crash, hang,
// blow the memory ceiling or throw anything but an AppError. FUZZ_ITERATIONS / FUZZ_SEED override.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { runFuzz } from './fuzzRunner';

const REPO = path.resolve(__dirname, '../..');
const DATA = path.resolve(REPO, '../shared/data');
const ITERATIONS = Number(process.env['FUZZ_ITERATIONS'] ?? 20_000);
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261121);

/** Bundles the runner where a concurrent `npm run build` (which empties dist/) cannot touch it. */
async function bundleRunner(): Promise<string> {
  const outfile = path.join(REPO, 'node_modules/.cache/enclave-fuzz-test', `fuzz-${process.pid}.cjs`);
  await build({
    entryPoints: [path.join(REPO, 'tests/fuzz/fuzz.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node22',
    external: ['@cornerstonejs/codec-charls', '@cornerstonejs/codec-openjpeg', '@cornerstonejs/codec-openjph', '@cornerstonejs/codec-libjpeg-turbo-8bit'],
    logLevel: 'warning',
  });
  return outfile;
}

describe('fuzzer', () => {
  it(`survives ${ITERATIONS} mutated inputs: 0 crashes, 0 hangs, 0 untyped errors`, { timeout: 20 * 60_000 }, async () => {
    const childScript = await bundleRunner();
    const outDir = mkdtempSync(path.join(tmpdir(), 'enclave-fuzz-'));
    let report;
    try {
      report = await runFuzz({ iterations: ITERATIONS, seed: SEED, dataRoot: DATA, childScript, outDir });
    } finally {
      rmSync(childScript, { force: true });
      rmSync(`${childScript}.map`, { force: true });
    }
    const findings = report.findings.map((f) => `${f.kind} #${f.iteration} [${f.stage ?? ''}] ${f.message} (${f.seedName}; ${f.mutation}) -> ${f.files.join(' ')}`);
    console.log(
      `fuzz: ${report.iterations} iterations, seed ${SEED}, ${report.workers} workers, ${(report.elapsedMs / 1000).toFixed(1)} s = ${report.perSecond}/s; ` +
        `parsed ${report.parsed}, volumes ${report.assembled}, typed ${JSON.stringify(report.typedByCode)}, peak child RSS ${report.peakChildRssMb} MiB`,
    );
    expect(report.iterations).toBe(ITERATIONS);
    expect(findings).toEqual([]);
    expect(report.crashes + report.hangs + report.untyped + report.memory).toBe(0);
    // The run must exercise the whole path, not stop at the parser.
    expect(report.parsed).toBeGreaterThan(ITERATIONS / 2);
    expect(report.assembled).toBeGreaterThan(ITERATIONS / 10);
  });
});
