// The one line the user reads after an import or a quick view. The CD's DICOMDIR is read as its
// index (to find files the CD lists but lacks), so it is not reported as a skipped file: a physician
// reading "1 files skipped" after opening a complete CD would go looking for a missing image.
import type { ImportSummary } from '../src-shared/ipc/contract';
import { SKIP } from '../src-shared/ipc/skipReasons';

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function describeImport(summary: ImportSummary, verb: string): string {
  const skipped = summary.skipped.filter((x) => x.reason !== SKIP.dicomdir).reduce((n, x) => n + x.count, 0);
  const notes: string[] = [];
  if (summary.duplicates) notes.push(`${summary.duplicates} already stored`);
  if (summary.conflicts) notes.push(`${count(summary.conflicts, 'conflicting file')} kept aside`);
  if (skipped) notes.push(`${count(skipped, 'file')} skipped`);
  const missing = summary.missing?.length ?? 0;
  const lacking = missing ? `; ${count(missing, 'file')} the CD lists ${missing === 1 ? 'is' : 'are'} missing` : '';
  return `${verb} ${count(summary.added, 'image')}${notes.length ? ` (${notes.join(', ')})` : ''}${lacking}.`;
}
