// The query panel's words and its progress arithmetic (pure, so tests read them): how far a retrieve is, what
// it did, and how a node is named.
import type { PacsProgress, PacsRetrieveResult, PacsStatus } from '../../src-shared/ipc/contract';

export type PacsNodeInfo = PacsStatus['nodes'][number];
export type PacsProtocol = 'dicomweb' | 'dimse';

export const PROTOCOL_LABELS: Record<PacsProtocol, string> = { dicomweb: 'DICOMweb', dimse: 'DIMSE' };

export function protocolsOf(node: PacsNodeInfo): PacsProtocol[] {
  return [...(node.dicomweb ? ['dicomweb' as const] : []), ...(node.dimse ? ['dimse' as const] : [])];
}

export type RetrieveMethod = 'get' | 'move';

export const METHOD_LABELS: Record<RetrieveMethod, string> = { get: 'C-GET', move: 'C-MOVE' };

/** The retrieve methods to choose from: C-GET or C-MOVE over DIMSE from a node policy allows C-MOVE for; else none. */
export function methodsOf(node: PacsNodeInfo, protocol: PacsProtocol): RetrieveMethod[] {
  return protocol === 'dimse' && node.dimse && node.move ? ['get', 'move'] : [];
}

export function nodeLabel(node: PacsNodeInfo): string {
  return `${node.name} (${protocolsOf(node).map((p) => PROTOCOL_LABELS[p]).join(' + ')})`;
}

/**
 * Images stored so far over the whole retrieve. Main counts images per series (filesDone restarts at each series),
 * so the images of the series already finished are carried in `base`.
 */
export interface RetrieveCount {
  seriesDone: number;
  base: number;
  current: number;
}

export const NO_COUNT: RetrieveCount = { seriesDone: 0, base: 0, current: 0 };

export function advance(c: RetrieveCount, p: PacsProgress): RetrieveCount {
  if (p.done) return { seriesDone: p.seriesDone, base: p.filesDone, current: 0 };
  if (p.seriesDone > c.seriesDone) return { seriesDone: p.seriesDone, base: c.base + c.current, current: p.filesDone };
  return { ...c, current: Math.max(c.current, p.filesDone) };
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** "Series 1 of 2 · 40 of 144 images · 5.2 MB"; the total only when the archive said how many images there are. */
export function progressLine(p: PacsProgress, c: RetrieveCount, totalImages: number | null): string {
  const images = c.base + c.current;
  const series = `Series ${Math.min(p.seriesDone + (p.done ? 0 : 1), p.seriesTotal)} of ${p.seriesTotal}`;
  const count = totalImages ? `${images} of ${totalImages} images` : `${images} image${images === 1 ? '' : 's'}`;
  return `${series} · ${count} · ${megabytes(p.bytesDone)}`;
}

/** 0..1 for the progress bar; by series when the archive gave no image count. */
export function progressFraction(p: PacsProgress, c: RetrieveCount, totalImages: number | null): number {
  if (p.done) return 1;
  if (totalImages) return Math.min(1, (c.base + c.current) / totalImages);
  return p.seriesTotal > 0 ? p.seriesDone / p.seriesTotal : 0;
}

export function retrieveSummary(r: Omit<PacsRetrieveResult, 'jobId'>): string {
  const parts = [`${r.added} image${r.added === 1 ? '' : 's'} added`];
  if (r.duplicates > 0) parts.push(`${r.duplicates} already on this computer`);
  if (r.seriesSkipped > 0) parts.push(`${r.seriesSkipped} series already complete`);
  if (r.conflicts > 0) parts.push(`${r.conflicts} conflicting with the copy here, kept aside`);
  if (r.skipped > 0) parts.push(`${r.skipped} not readable, skipped`);
  const head = r.cancelled ? 'Retrieve cancelled; what arrived is kept whole' : 'Retrieved';
  return `${head}: ${parts.join(', ')} (${megabytes(r.bytes)} in ${r.seconds.toFixed(1)} s).`;
}
