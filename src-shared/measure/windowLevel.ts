// Window/level and slice scrolling as pure functions; the renderer's hooks only feed them pointer deltas.
// Window presets live in src-shared/viewer/presets.ts.

export interface WindowLevel {
  center: number;
  width: number;
}

/** Dragging right widens the window (less contrast), dragging down raises the level (darker image): the usual radiology convention. */
export function dragWindowLevel(start: WindowLevel, dx: number, dy: number, valuesPerPixel: number): WindowLevel {
  return {
    center: start.center + dy * valuesPerPixel,
    width: Math.max(1, start.width + dx * valuesPerPixel),
  };
}

/** Drag sensitivity: crossing the viewport sweeps the series' value range once. */
export function valuesPerPixel(valueRange: [number, number], viewportPixels: number): number {
  const span = Math.max(1, valueRange[1] - valueRange[0]);
  return span / Math.max(100, viewportPixels);
}

export function scrollSlice(current: number, wheelDeltaY: number, sliceCount: number): number {
  if (wheelDeltaY === 0 || sliceCount <= 0) return current;
  const next = current + Math.sign(wheelDeltaY);
  return Math.min(sliceCount - 1, Math.max(0, next));
}
