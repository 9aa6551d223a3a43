// The fuzzer's parent: a pool of child processes (one per core) with a heap cap, a per-input
// clock and an RSS ceiling. A child that dies is a crash, one that overruns the clock a hang,
// a non-AppError out of the engine an untyped error; each gets its reproducing input on disk.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { ChildConfig, FromChild, ToChild } from './fuzzChild';
import { DEFAULT_CODESTREAM_SHARE, fuzzInput } from './fuzzInputs';
import { loadSeedCorpus, type SeedCorpus } from './seedCorpus';

export interface FuzzOptions {
  iterations: number;
  seed: number;
  /** The shared data folder (corpus/ and phantoms/). */
  dataRoot: string;
  /** Bundled script that runs a child when given --child (the fuzz runner itself). */
  childScript: string;
  /** Where reproducers go (created on the first finding). */
  outDir: string;
  workers?: number;
  /** Per-input time limit (ms); beyond it the input is a hang. Default 15 s. */
  timeoutMs?: number;
  /** V8 heap cap for children (MiB). Default 1024. */
  maxOldSpaceMb?: number;
  /** RSS ceiling for children (MiB), typed arrays and WASM included. Default 2048. */
  maxRssMb?: number;
  maxSeedBytes?: number;
  /** First iteration number (to resume or to replay one: startIteration = i, iterations = 1). */
  startIteration?: number;
  /** Share of iterations with a structure-aware codestream mutation (default DEFAULT_CODESTREAM_SHARE; 0 = byte-level only). */
  codestreamShare?: number;
  onProgress?: (done: number, report: FuzzReport) => void;
}

export type FindingKind = 'crash' | 'hang' | 'untyped' | 'memory';

export interface Finding {
  kind: FindingKind;
  iteration: number;
  seedName: string;
  mutation: string;
  stage?: string;
  message: string;
  signature: string;
  /** Reproducer files (one per input of the iteration). */
  files: string[];
}

export interface FuzzReport {
  seed: number;
  iterations: number;
  workers: number;
  elapsedMs: number;
  perSecond: number;
  crashes: number;
  hangs: number;
  untyped: number;
  memory: number;
  /** Iterations whose every input got through parse (typed failures later still count here). */
  parsed: number;
  /** Iterations that produced a volume. */
  assembled: number;
  typedByCode: Record<string, number>;
  /** AppErrors wrapping an internal JS error, by signature: typed, but each names a missing check. */
  wrappedInternal: Record<string, number>;
  findings: Finding[];
  /** Inputs with a frame refused by the codestream structure check before any codec ran. */
  structureRefused: number;
  /** Inputs on which a codec trapped (WebAssembly RuntimeError), typed by the adapter. */
  traps: number;
  /** Inputs on which a codec threw a C++ exception, typed by the adapter. */
  codecThrows: number;
  peakChildRssMb: number;
  seeds: number;
}

const MAX_REPRODUCERS_PER_SIGNATURE = 3;

interface Slot {
  child: ChildProcess | null;
  ready: boolean;
  busy: number | null;
  timer: NodeJS.Timeout | null;
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const workers = Math.max(1, opts.workers ?? availableParallelism());
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const maxSeedBytes = opts.maxSeedBytes ?? 512 * 1024;
  const codestreamShare = opts.codestreamShare ?? DEFAULT_CODESTREAM_SHARE;
  const config: ChildConfig = { dataRoot: opts.dataRoot, seed: opts.seed, maxSeedBytes, maxRssMb: opts.maxRssMb ?? 2048, codestreamShare };
  const start = opts.startIteration ?? 0;
  const end = start + opts.iterations;
  let corpus: SeedCorpus | null = null;
  const bySignature = new Map<string, number>();

  const report: FuzzReport = {
    seed: opts.seed, iterations: 0, workers, elapsedMs: 0, perSecond: 0, crashes: 0, hangs: 0, untyped: 0, memory: 0,
    parsed: 0, assembled: 0, typedByCode: {}, wrappedInternal: {}, findings: [], structureRefused: 0, traps: 0, codecThrows: 0, peakChildRssMb: 0, seeds: 0,
  };
  const t0 = performance.now();

  const record = (kind: FindingKind, iteration: number, message: string, signature: string, stage?: string) => {
    corpus ??= loadSeedCorpus({ dataRoot: opts.dataRoot, maxSeedBytes });
    const input = fuzzInput(corpus, opts.seed, iteration, codestreamShare);
    const key = `${kind} ${signature}`;
    const seen = (bySignature.get(key) ?? 0) + 1;
    bySignature.set(key, seen);
    const files: string[] = [];
    if (seen <= MAX_REPRODUCERS_PER_SIGNATURE) {
      mkdirSync(opts.outDir, { recursive: true });
      const base = path.join(opts.outDir, `${kind}-s${opts.seed}-i${iteration}`);
      input.inputs.forEach((bytes, k) => {
        const f = input.inputs.length > 1 ? `${base}-${k}.dcm` : `${base}.dcm`;
        writeFileSync(f, bytes);
        files.push(f);
      });
      writeFileSync(`${base}.txt`, [
        `kind: ${kind}`, `seed: ${opts.seed}`, `iteration: ${iteration}`, `seed file: ${input.seedName}`,
        `mutated input: ${input.mutatedIndex}`, `mutation: ${input.what}`, `stage: ${stage ?? ''}`, `error: ${message}`,
        `signature: ${signature}`, `replay: node dist/bench/fuzz.cjs --seed ${opts.seed} --start ${iteration} --iterations 1 --codestream-share ${codestreamShare}`, '',
      ].join('\n'));
    }
    report[kind === 'crash' ? 'crashes' : kind === 'hang' ? 'hangs' : kind === 'untyped' ? 'untyped' : 'memory']++;
    if (report.findings.length < 200) report.findings.push({ kind, iteration, seedName: input.seedName, mutation: input.what, stage, message, signature, files });
  };

  let next = start;
  let done = 0;
  const slots: Slot[] = Array.from({ length: workers }, () => ({ child: null, ready: false, busy: null, timer: null }));

  await new Promise<void>((resolve, reject) => {
    let finished = false;
    const finishIfDone = () => {
      if (!finished && done >= opts.iterations) {
        finished = true;
        for (const s of slots) {
          if (s.child && s.child.connected) s.child.send({ type: 'stop' } satisfies ToChild);
          s.child = null;
        }
        resolve();
      }
    };

    const dispatch = (slot: Slot) => {
      if (!slot.child || !slot.ready || slot.busy !== null) return;
      if (next >= end) return;
      const it = next++;
      slot.busy = it;
      const child = slot.child;
      slot.timer = setTimeout(() => {
        if (slot.child !== child || slot.busy !== it) return;
        slot.busy = null;
        slot.child = null;
        child.removeAllListeners('exit');
        child.kill('SIGKILL');
        record('hang', it, `no answer within ${timeoutMs} ms`, 'timeout');
        done++;
        report.iterations = done;
        spawn(slot);
        finishIfDone();
      }, timeoutMs);
      child.send({ type: 'run', iteration: it } satisfies ToChild);
    };

    const spawn = (slot: Slot) => {
      if (finished || next >= end) return;
      const child = fork(opts.childScript, ['--child', JSON.stringify(config)], {
        execArgv: [`--max-old-space-size=${opts.maxOldSpaceMb ?? 1024}`, '--stack-size=984'],
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-4000);
      });
      slot.child = child;
      slot.ready = false;
      slot.busy = null;
      child.on('message', (m: FromChild) => {
        if (slot.child !== child) return;
        if (m.type === 'ready') {
          report.seeds = m.seeds;
          slot.ready = true;
          dispatch(slot);
          return;
        }
        if (slot.busy !== m.iteration) return;
        if (slot.timer) clearTimeout(slot.timer);
        slot.busy = null;
        done++;
        report.iterations = done;
        report.peakChildRssMb = Math.max(report.peakChildRssMb, m.peakRssMb);
        for (const t of m.typed) report.typedByCode[t.code] = (report.typedByCode[t.code] ?? 0) + 1;
        for (const w of m.wrapped) report.wrappedInternal[w] = (report.wrappedInternal[w] ?? 0) + 1;
        if (!m.typed.some((t) => t.stage === 'parse') && !m.untyped) report.parsed++;
        if (m.passed.includes('assemble')) report.assembled++;
        if (m.structureRefused > 0) report.structureRefused++;
        if (m.traps > 0) report.traps++;
        if (m.codecThrows > 0) report.codecThrows++;
        if (m.untyped) record('untyped', m.iteration, m.untyped.message, m.untyped.signature, m.untyped.stage);
        if (m.overMemory) record('memory', m.iteration, `child RSS reached ${m.peakRssMb} MiB`, 'rss');
        opts.onProgress?.(done, report);
        finishIfDone();
        dispatch(slot);
      });
      child.on('exit', (code, signal) => {
        if (slot.child !== child) return;
        if (slot.timer) clearTimeout(slot.timer);
        const it = slot.busy;
        const wasReady = slot.ready;
        slot.child = null;
        slot.busy = null;
        if (it !== null) {
          const last = stderr.trim().split('\n').slice(-3).join(' | ');
          record('crash', it, `child exited (code ${code}, signal ${signal}) ${last}`, `exit ${code} ${signal}`);
          done++;
          report.iterations = done;
          finishIfDone();
        } else if (!wasReady && !finished) {
          finished = true;
          reject(new Error(`fuzz child failed to start (code ${code}, signal ${signal}): ${stderr.slice(-2000)}`));
          return;
        }
        spawn(slot);
      });
    };

    if (opts.iterations <= 0) {
      finishIfDone();
      return;
    }
    for (const s of slots) spawn(s);
  });

  report.elapsedMs = Math.round(performance.now() - t0);
  report.perSecond = Math.round((report.iterations / (report.elapsedMs / 1000)) * 10) / 10;
  return report;
}
