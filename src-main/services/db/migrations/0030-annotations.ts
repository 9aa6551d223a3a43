// Measurements and annotations of the reading room, one row each, keyed by series and user. Rows go with
// their series (ON DELETE CASCADE): a purge, a purge-all or retention removes them without naming this table.
// user_id is '' until accounts exist; then each user's set sits beside the others under the same series.
// kind carries no CHECK: a new tool in the renderer should not need a table rebuild; the IPC contract
// (annotationSchema) is what bounds it.
import type { Migration } from './migration';

export const migration0030: Migration = {
  version: 30,
  name: 'annotations',
  up(db) {
    db.exec(`
      CREATE TABLE annotations (
        series_id    TEXT NOT NULL REFERENCES series(series_id) ON DELETE CASCADE,
        user_id      TEXT NOT NULL DEFAULT '',
        annotation_id TEXT NOT NULL,
        position     INTEGER NOT NULL CHECK (position >= 0),
        kind         TEXT NOT NULL,
        frame_of_reference_uid TEXT NOT NULL,
        sop_instance_uid TEXT NOT NULL,
        frame_index  INTEGER NOT NULL CHECK (frame_index >= 0),
        points_json  TEXT NOT NULL,
        text         TEXT,
        updated_at   INTEGER NOT NULL,
        PRIMARY KEY (series_id, user_id, annotation_id)
      ) STRICT;
    `);
  },
};
