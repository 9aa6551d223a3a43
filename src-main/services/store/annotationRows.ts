// The annotations table (migration 0030) for the encrypted store. The database is encrypted whole-file, so
// annotation text (which may name the patient) is never plaintext on disk. Saving replaces the series' set
// in one transaction: a crash leaves the old set or the new one, never half of each.
import type { AnnotationRecord } from '../../../src-shared/ipc/contract';
import type { Db } from '../db/database';
import { checkAnnotationSet, seriesNotFound } from './annotationSet';

/** No accounts yet: every annotation belongs to the one local reader (see migration 0030). */
const NO_USER = '';

interface AnnotationRow {
  annotation_id: string;
  kind: AnnotationRecord['kind'];
  series_id: string;
  frame_of_reference_uid: string;
  sop_instance_uid: string;
  frame_index: number;
  points_json: string;
  text: string | null;
}

function assertSeries(db: Db, seriesId: string): void {
  if (!db.prepare('SELECT 1 FROM series WHERE series_id = ?').get(seriesId)) throw seriesNotFound();
}

export function listAnnotationRows(db: Db, seriesId: string): AnnotationRecord[] {
  assertSeries(db, seriesId);
  const rows = db
    .prepare(
      `SELECT annotation_id, kind, series_id, frame_of_reference_uid, sop_instance_uid, frame_index, points_json, text
       FROM annotations WHERE series_id = ? AND user_id = ? ORDER BY position`,
    )
    .all(seriesId, NO_USER) as AnnotationRow[];
  return rows.map((r) => {
    const a: AnnotationRecord = {
      id: r.annotation_id,
      kind: r.kind,
      seriesId: r.series_id,
      frameOfReferenceUid: r.frame_of_reference_uid,
      sopInstanceUid: r.sop_instance_uid,
      frameIndex: r.frame_index,
      points: JSON.parse(r.points_json) as AnnotationRecord['points'],
    };
    if (r.text !== null) a.text = r.text;
    return a;
  });
}

/** Replaces the series' set with `annotations` (in that order); returns how many are stored. */
export function replaceAnnotationRows(db: Db, seriesId: string, annotations: readonly AnnotationRecord[], now: number): number {
  const set = checkAnnotationSet(seriesId, annotations);
  return db.transaction(() => {
    assertSeries(db, seriesId);
    db.prepare('DELETE FROM annotations WHERE series_id = ? AND user_id = ?').run(seriesId, NO_USER);
    const insert = db.prepare(
      `INSERT INTO annotations (series_id, user_id, annotation_id, position, kind, frame_of_reference_uid, sop_instance_uid,
         frame_index, points_json, text, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    set.forEach((a, position) => {
      insert.run(seriesId, NO_USER, a.id, position, a.kind, a.frameOfReferenceUid, a.sopInstanceUid, a.frameIndex, JSON.stringify(a.points), a.text ?? null, now);
    });
    return set.length;
  })();
}
