// `npm run fuzz -- --iterations N --seed S [--workers W] [--timeout MS] [--out DIR (default dist/fuzz-findings)] [--json]`
// [--start I] (first iteration; --start I --iterations 1 replays one), [--replay a.dcm,b.dcm] (in this process, with a stack),
// [--codestream-share P] (share of iterations with a structure-aware codestream mutation, default 0.3; 0 = as before them),
// [--write DIR] (writes the inputs of iterations start..start+N-1 to DIR without running them: reproducers for tests).
// Bundled to dist/bench/fuzz.cjs; the same script runs the children (`--child`).
// Exit code 1 when anything was found (crash, hang, untyped error, memory blow-up).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runChild, type ChildConfig } from './fuzzChild';
import { runFuzz, type FuzzReport } from './fuzzRunner';
import { runTarget, UntypedFailure, describeError } from './fuzzTarget';
import { DEFAULT_CODESTREAM_SHARE, fuzzInput } from './fuzzInputs';
import { loadSeedCorpus } from './seedCorpus';
import { createNodeCodecs } from '../../src-main/services/codecs/nodeCodecs';

function args(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      out.set(a.slice(2), next);
      i++;
    } else out.set(a.slice(2), 'true');
  }
  return out;
}

function int(v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a non-negative integer: ${v}`);
  return n;
}

function summary(r: FuzzReport): string {
  const lines = [
    `fuzz: seed ${r.seed}, ${r.iterations} iterations on ${r.workers} workers in ${(r.elapsedMs / 1000).toFixed(1)} s (${r.perSecond}/s), ${r.seeds} seed files`,
    `  crashes ${r.crashes}, hangs ${r.hangs}, untyped errors ${r.untyped}, memory ${r.memory}; peak child RSS ${r.peakChildRssMb} MiB`,
    `  codestreams: ${r.structureRefused} inputs refused by the structure check before any codec ran, ${r.traps} with a codec trap, ${r.codecThrows} with a codec exception (all typed)`,
    `  parsed ${r.parsed}, volumes assembled ${r.assembled}; typed errors: ${Object.entries(r.typedByCode).map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}`,
  ];
  const wrapped = Object.entries(r.wrappedInternal).sort((a, b) => b[1] - a[1]);
  if (wrapped.length) {
    lines.push(`  typed errors wrapping an internal JS error (${wrapped.length} kinds):`);
    for (const [sig, n] of wrapped.slice(0, 15)) lines.push(`    ${n} x ${sig}`);
  }
  for (const f of r.findings.slice(0, 30)) {
    lines.push(`  ${f.kind.toUpperCase()} iteration ${f.iteration} [${f.stage ?? ''}] ${f.message}`);
    lines.push(`    seed ${f.seedName}; ${f.mutation}`);
    if (f.files.length) lines.push(`    reproducer: ${f.files.join(' ')}`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    await runChild(JSON.parse(argv[1] ?? '{}') as ChildConfig);
    return;
  }
  const a = args(argv);
  // The checkout: the nearest ancestor of this bundle holding tests/fuzz (dist/bench/ normally).
  let repo = path.resolve(__dirname, '../..');
  for (let d = __dirname, i = 0; i < 8; i++, d = path.dirname(d)) {
    if (existsSync(path.join(d, 'tests/fuzz')) && existsSync(path.join(d, 'package.json'))) {
      repo = d;
      break;
    }
  }
  const dataRoot = path.resolve(a.get('data') ?? path.join(repo, '../shared/data'));

  if (a.has('replay')) {
    // Runs one saved input in this process, so a debugger or a stack trace is at hand.
    const codecs = await createNodeCodecs();
    const files = a.get('replay')!.split(',');
    try {
      const o = await runTarget(files.map((f) => new Uint8Array(readFileSync(f))), codecs);
      console.log(JSON.stringify(o, null, 2));
    } catch (e) {
      const inner = e instanceof UntypedFailure ? e.error : e;
      console.error(`untyped failure${e instanceof UntypedFailure ? ` in ${e.stage}` : ''}: ${describeError(inner)}`);
      if (inner instanceof Error) console.error(inner.stack);
      process.exitCode = 1;
    }
    return;
  }

  const iterations = int(a.get('iterations'), 1000);
  const share = a.has('codestream-share') ? Number(a.get('codestream-share')) : DEFAULT_CODESTREAM_SHARE;
  if (!(share >= 0 && share <= 1)) throw new Error(`--codestream-share must be between 0 and 1: ${a.get('codestream-share')}`);
  if (a.has('write')) {
    const dir = path.resolve(a.get('write')!);
    mkdirSync(dir, { recursive: true });
    const seed = int(a.get('seed'), 1);
    const corpus = loadSeedCorpus({ dataRoot, maxSeedBytes: int(a.get('max-seed-bytes'), 512 * 1024) });
    for (let it = int(a.get('start'), 0), n = 0; n < iterations; it++, n++) {
      const input = fuzzInput(corpus, seed, it, share);
      input.inputs.forEach((bytes, k) => {
        const f = path.join(dir, `s${seed}-i${it}${input.inputs.length > 1 ? `-${k}` : ''}.dcm`);
        writeFileSync(f, bytes);
        console.log(`${f}  (${input.seedName}; ${input.what})`);
      });
    }
    return;
  }
  let lastPrint = 0;
  const report = await runFuzz({
    iterations,
    seed: int(a.get('seed'), 1),
    dataRoot,
    childScript: __filename,
    outDir: path.resolve(a.get('out') ?? path.join(repo, 'dist/fuzz-findings')),
    workers: a.has('workers') ? int(a.get('workers'), 2) : undefined,
    timeoutMs: a.has('timeout') ? int(a.get('timeout'), 15000) : undefined,
    maxRssMb: a.has('max-rss') ? int(a.get('max-rss'), 2048) : undefined,
    maxSeedBytes: a.has('max-seed-bytes') ? int(a.get('max-seed-bytes'), 512 * 1024) : undefined,
    startIteration: int(a.get('start'), 0),
    codestreamShare: share,
    onProgress: a.has('json')
      ? undefined
      : (done, r) => {
          const now = Date.now();
          if (now - lastPrint < 5000) return;
          lastPrint = now;
          process.stderr.write(`  ${done}/${iterations}: crashes ${r.crashes}, hangs ${r.hangs}, untyped ${r.untyped}, memory ${r.memory}\n`);
        },
  });
  if (a.has('json')) console.log(JSON.stringify(report, null, 2));
  else console.log(summary(report));
  if (report.crashes + report.hangs + report.untyped + report.memory > 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(`fuzz: ${describeError(e)}`);
  process.exitCode = 2;
});
