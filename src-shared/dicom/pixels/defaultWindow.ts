// The window shown when a file states none, from the image itself.
//
// Rule: over the modality values of one image (the series' middle slice), leaving out padding
// (Pixel Padding Value .. Pixel Padding Range Limit, given here in modality units) and non-finite
// values, the window spans the 0.5th to the 99.5th percentile: centre = their midpoint, width = their
// difference. Percentiles, not min..max, so a few hot pixels or a burnt-in label do not flatten the
// picture. Integer data with a range of at most 2^16 values is counted exactly (one bin per value);
// anything else goes into 4096 equal bins between the minimum and the maximum, the low percentile
// taking its bin's lower edge and the high one its bin's upper edge (the window never cuts inside a bin).

export interface RobustWindow {
  center: number;
  width: number;
  /** The percentiles the window spans. */
  low: number;
  high: number;
  /** Smallest and largest value counted (padding left out). */
  min: number;
  max: number;
}

export interface RobustWindowOptions {
  /** Percent of the counted values left below the window (default 0.5). */
  lowPercent?: number;
  /** Percent of the counted values at or below the window's top (default 99.5). */
  highPercent?: number;
  /** Values in [exclude[0], exclude[1]] are padding and not counted. */
  exclude?: [number, number] | null;
}

const EXACT_RANGE = 65536;
const BINS = 4096;

/** The robust window of `values`, or null when no value counts (all padding or not finite). */
export function robustWindow(values: ArrayLike<number>, options: RobustWindowOptions = {}): RobustWindow | null {
  const lowP = Math.min(100, Math.max(0, options.lowPercent ?? 0.5));
  const highP = Math.min(100, Math.max(lowP, options.highPercent ?? 99.5));
  const ex = options.exclude ?? null;
  const exLo = ex ? Math.min(ex[0], ex[1]) : Infinity;
  const exHi = ex ? Math.max(ex[0], ex[1]) : -Infinity;
  const counts = (v: number): boolean => Number.isFinite(v) && !(v >= exLo && v <= exHi);

  let min = Infinity;
  let max = -Infinity;
  let n = 0;
  let integral = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!counts(v)) continue;
    n++;
    if (v < min) min = v;
    if (v > max) max = v;
    if (integral && !Number.isInteger(v)) integral = false;
  }
  if (n === 0) return null;
  if (max === min) return { center: min, width: 1, low: min, high: max, min, max };

  const exact = integral && max - min + 1 <= EXACT_RANGE;
  const bins = exact ? max - min + 1 : BINS;
  const scale = exact ? 1 : BINS / (max - min);
  const hist = new Uint32Array(bins);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!counts(v)) continue;
    const b = Math.floor((v - min) * scale);
    hist[b < bins ? b : bins - 1]!++;
  }
  // The smallest bin whose cumulative count reaches the rank.
  const binAt = (percent: number): number => {
    const rank = Math.max(1, Math.ceil((percent / 100) * n));
    let seen = 0;
    for (let b = 0; b < bins; b++) {
      seen += hist[b]!;
      if (seen >= rank) return b;
    }
    return bins - 1;
  };
  const bLow = lowP === 0 ? 0 : binAt(lowP);
  const bHigh = binAt(highP);
  const low = exact ? min + bLow : min + bLow / scale;
  const high = exact ? min + bHigh : Math.min(max, min + (bHigh + 1) / scale);
  const width = high > low ? high - low : exact ? 1 : (max - min) / BINS;
  return { center: (low + high) / 2, width, low, high, min, max };
}
