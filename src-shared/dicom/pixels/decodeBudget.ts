// How long one frame may take to decode (wall clock) before its decoder is abandoned. Native codecs
// decode 7-100 million samples per second on one core (OpenJPEG lossless the slowest, ~0.15 µs a
// sample); the budget allows 3 µs per sample (20x the slowest native codec, 100x+ the others, room
// for a machine shared with other work), never less than two seconds, so only a decoder stuck on
// hostile input ever meets it.

export interface DecodeBudget {
  /** Floor, whatever the frame's size. */
  minMs: number;
  /** Allowance per decoded sample (rows x columns x samples per pixel). */
  usPerSample: number;
}

export const DEFAULT_DECODE_BUDGET: DecodeBudget = { minMs: 2000, usPerSample: 3 };

export function decodeBudgetMs(rows: number, columns: number, samplesPerPixel: number, budget: DecodeBudget = DEFAULT_DECODE_BUDGET): number {
  const samples = Math.max(0, rows) * Math.max(0, columns) * Math.max(1, samplesPerPixel);
  return Math.max(budget.minMs, Math.ceil((samples * budget.usPerSample) / 1000));
}
