// The child side of the fuzzer: loads seeds and codecs once, then runs iterations on request and
// answers with a summary. The parent owns the clock (hangs) and watches for the child dying (crashes).
import { createNodeCodecs } from '../../src-main/services/codecs/nodeCodecs';
import { fuzzInput } from './fuzzInputs';
import { describeError, errorSignature, runTarget, UntypedFailure } from './fuzzTarget';
import { loadSeedCorpus } from './seedCorpus';

export interface ChildConfig {
  dataRoot: string;
  seed: number;
  maxSeedBytes: number;
  maxRssMb: number;
  codestreamShare: number;
}

export type ToChild = { type: 'run'; iteration: number } | { type: 'stop' };

export type FromChild =
  | { type: 'ready'; seeds: number }
  | {
      type: 'result';
      iteration: number;
      typed: Array<{ stage: string; code: string }>;
      wrapped: string[];
      passed: string[];
      structureRefused: number;
      traps: number;
      codecThrows: number;
      untyped?: { stage: string; message: string; signature: string; stack: string };
      /** Peak RSS of the child so far (MiB) and whether this iteration pushed it past the limit. */
      peakRssMb: number;
      overMemory: boolean;
    };

export async function runChild(config: ChildConfig): Promise<void> {
  const send = (m: FromChild) => process.send?.(m);
  const corpus = loadSeedCorpus({ dataRoot: config.dataRoot, maxSeedBytes: config.maxSeedBytes });
  const codecs = await createNodeCodecs();
  send({ type: 'ready', seeds: corpus.seeds.length });
  process.on('message', (msg: ToChild) => {
    if (msg.type === 'stop') {
      process.disconnect?.();
      return;
    }
    void (async () => {
      const input = fuzzInput(corpus, config.seed, msg.iteration, config.codestreamShare);
      const before = process.resourceUsage().maxRSS / 1024;
      let result: FromChild;
      try {
        const o = await runTarget(input.inputs, codecs);
        result = {
          type: 'result', iteration: msg.iteration, typed: o.typed, wrapped: o.wrapped.map((w) => `${w.stage}: ${w.signature}`), passed: o.passed,
          structureRefused: o.structureRefused, traps: o.traps, codecThrows: o.codecThrows, peakRssMb: 0, overMemory: false,
        };
      } catch (e) {
        const inner = e instanceof UntypedFailure ? e.error : e;
        result = {
          type: 'result', iteration: msg.iteration, typed: [], wrapped: [], passed: [], structureRefused: 0, traps: 0, codecThrows: 0, peakRssMb: 0, overMemory: false,
          untyped: {
            stage: e instanceof UntypedFailure ? e.stage : 'harness',
            message: describeError(inner),
            signature: errorSignature(inner),
            stack: inner instanceof Error ? (inner.stack ?? '') : '',
          },
        };
      }
      const peak = process.resourceUsage().maxRSS / 1024;
      result.peakRssMb = Math.round(peak);
      result.overMemory = peak > config.maxRssMb && before <= config.maxRssMb;
      send(result);
      // Once over the limit the process is spent: let the parent start a fresh one.
      if (peak > config.maxRssMb) setImmediate(() => process.exit(0));
    })();
  });
}
