// The rules a series' annotation set obeys whichever store keeps it (encrypted cache or quick view's memory).
// The IPC boundary already checked the shape; stores check again because the CLI and tests call them directly.
import { AppError } from '../../../src-shared/errors';
import { requestSchemas, type AnnotationRecord } from '../../../src-shared/ipc/contract';

/**
 * A set is saved whole for one series: the shape the contract allows, every record naming that series, ids
 * unique within it. Returns fresh copies, so the store never shares objects with its caller.
 */
export function checkAnnotationSet(seriesId: string, annotations: readonly AnnotationRecord[]): AnnotationRecord[] {
  const parsed = requestSchemas['annotations:save'].safeParse({ seriesId, annotations });
  if (!parsed.success) throw new AppError('INVALID_REQUEST', 'An annotation is malformed.');
  const ids = new Set<string>();
  for (const a of parsed.data.annotations) {
    if (a.seriesId !== seriesId) throw new AppError('INVALID_REQUEST', 'Every annotation must belong to the series being saved.');
    if (ids.has(a.id)) throw new AppError('INVALID_REQUEST', 'Two annotations of the set have the same id.');
    ids.add(a.id);
  }
  return parsed.data.annotations;
}

export function seriesNotFound(): AppError {
  return new AppError('NOT_FOUND', 'No such series.');
}
