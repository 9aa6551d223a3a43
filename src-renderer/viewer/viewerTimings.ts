// Timings the viewer bench reads from the page (window.__enclaveViewerTimings): open -> first pixels and
// open -> every slice drawn from the volume, each measured after the frame was forced to finish.
export interface ViewerTiming {
  seriesId: string;
  /** opened: series:open answered; firstSlice: the first slice's pixels arrived; firstPixels: drawn and finished. */
  what: 'opened' | 'firstSlice' | 'firstPixels' | 'allSlices';
  ms: number;
}

declare global {
  interface Window {
    __enclaveViewerTimings?: ViewerTiming[];
  }
}

export function recordTiming(seriesId: string, what: ViewerTiming['what'], ms: number, once = false): void {
  const list = (window.__enclaveViewerTimings ??= []);
  if (once && list.some((t) => t.seriesId === seriesId && t.what === what)) return;
  list.push({ seriesId, what, ms });
}
