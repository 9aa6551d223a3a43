// Iteration i -> the exact inputs it runs, from (seed, i) alone: the parent regenerates them to
// write a reproducer after a child crashed or hung, without the child having to save anything.
import { Rng } from './prng';
import { mutate } from './mutators';
import { hasCodestreams, mutateCodestream } from './codestreamMutators';
import type { SeedCorpus } from './seedCorpus';

export interface FuzzInput {
  inputs: Uint8Array[];
  /** Seed file(s), relative to the data root. */
  seedName: string;
  /** Index in `inputs` of the mutated one. */
  mutatedIndex: number;
  what: string;
}

/** Share of iterations that mutate one file of a small series and assemble the whole series. */
const SERIES_SHARE = 0.08;

/** Default share of iterations given a structure-aware codestream mutation instead of the byte-level ones. */
export const DEFAULT_CODESTREAM_SHARE = 0.3;

/**
 * `codestreamShare` of the iterations mutate one field of a frame's codestream (a stream of their own,
 * so with share 0 every iteration is what it was before structure-aware mutations existed).
 */
export function fuzzInput(corpus: SeedCorpus, seed: number, iteration: number, codestreamShare = 0): FuzzInput {
  if (codestreamShare > 0) {
    const crng = new Rng(seed ^ 0x5bd1e995, iteration);
    const candidates = corpus.seeds.filter(hasCodestreams);
    if (candidates.length > 0 && crng.chance(codestreamShare)) {
      const target = candidates[crng.int(candidates.length)]!;
      let m = mutateCodestream(crng, target);
      // Now and then a second field or a byte-level mutation on top.
      if (crng.chance(0.2)) m = { ...mutateCodestream(crng, { ...target, bytes: m.bytes }), what: `${m.what}; then another` };
      return { inputs: [m.bytes], seedName: target.name, mutatedIndex: 0, what: m.what };
    }
  }
  const rng = new Rng(seed, iteration);
  if (corpus.series.length > 1 && rng.chance(SERIES_SHARE)) {
    const k = rng.int(corpus.series.length);
    const target = corpus.series[k]!;
    const m = mutate(rng, target, corpus.seeds);
    const inputs = corpus.series.map((s, i) => (i === k ? m.bytes : s.bytes));
    return { inputs, seedName: `series[${corpus.series.map((s) => s.name).join(', ')}] #${k}`, mutatedIndex: k, what: m.what };
  }
  const target = corpus.seeds[rng.int(corpus.seeds.length)]!;
  const m = mutate(rng, target, corpus.seeds);
  return { inputs: [m.bytes], seedName: target.name, mutatedIndex: 0, what: m.what };
}
