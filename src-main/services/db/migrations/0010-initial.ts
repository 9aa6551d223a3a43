// The first schema. Ids exposed outside the store are opaque (keyed hashes of the UIDs, or random):
// UIDs identify patients, so they stay inside the encrypted file. blob_salt is the only way to the key
// of a blob file (see blobVault.ts): deleting the row shreds the file's contents cryptographically.
import type { Migration } from './migration';

export const migration0010: Migration = {
  version: 10,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE patients (
        patient_id   TEXT PRIMARY KEY,
        patient_name TEXT NOT NULL,
        dicom_patient_id TEXT NOT NULL,
        birth_date   TEXT NOT NULL,
        sex          TEXT NOT NULL,
        created_at   INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE studies (
        study_id     TEXT PRIMARY KEY,
        study_uid    TEXT NOT NULL UNIQUE,
        patient_id   TEXT NOT NULL REFERENCES patients(patient_id),
        study_date   TEXT NOT NULL,
        study_time   TEXT NOT NULL,
        description  TEXT NOT NULL,
        accession_number TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        last_access  INTEGER
      ) STRICT;
      CREATE INDEX studies_patient ON studies(patient_id);

      CREATE TABLE series (
        series_id    TEXT PRIMARY KEY,
        series_uid   TEXT NOT NULL UNIQUE,
        study_id     TEXT NOT NULL REFERENCES studies(study_id),
        series_number INTEGER,
        description  TEXT NOT NULL,
        modality     TEXT NOT NULL,
        frame_of_reference_uid TEXT NOT NULL,
        created_at   INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX series_study ON series(study_id);

      CREATE TABLE instances (
        instance_id  TEXT PRIMARY KEY,
        sop_instance_uid TEXT NOT NULL UNIQUE,
        series_id    TEXT NOT NULL REFERENCES series(series_id),
        sop_class_uid TEXT NOT NULL,
        transfer_syntax_uid TEXT NOT NULL,
        instance_number INTEGER,
        meta_json    TEXT NOT NULL,
        size         INTEGER NOT NULL CHECK (size >= 0),
        sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
        blob_name    TEXT NOT NULL UNIQUE,
        blob_salt    BLOB NOT NULL CHECK (length(blob_salt) = 16),
        tampered     INTEGER NOT NULL DEFAULT 0 CHECK (tampered IN (0, 1)),
        created_at   INTEGER NOT NULL,
        last_access  INTEGER
      ) STRICT;
      CREATE INDEX instances_series ON instances(series_id, instance_number);

      -- Same SOP Instance UID, different bytes: kept aside, never replacing what is stored.
      CREATE TABLE instance_conflicts (
        conflict_id  TEXT PRIMARY KEY,
        sop_instance_uid TEXT NOT NULL,
        instance_id  TEXT NOT NULL REFERENCES instances(instance_id),
        meta_json    TEXT NOT NULL,
        size         INTEGER NOT NULL,
        sha256       TEXT NOT NULL,
        blob_name    TEXT NOT NULL UNIQUE,
        blob_salt    BLOB NOT NULL CHECK (length(blob_salt) = 16),
        created_at   INTEGER NOT NULL,
        UNIQUE (sop_instance_uid, sha256)
      ) STRICT;
      CREATE INDEX conflicts_instance ON instance_conflicts(instance_id);

      CREATE TABLE thumbnails (
        series_id    TEXT PRIMARY KEY REFERENCES series(series_id),
        width        INTEGER NOT NULL,
        height       INTEGER NOT NULL,
        mime         TEXT NOT NULL,
        data         BLOB NOT NULL,
        created_at   INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE import_jobs (
        job_id       TEXT PRIMARY KEY,
        state        TEXT NOT NULL CHECK (state IN ('running', 'done', 'cancelled', 'failed')),
        source_json  TEXT NOT NULL,
        files_total  INTEGER NOT NULL DEFAULT 0,
        files_done   INTEGER NOT NULL DEFAULT 0,
        bytes_done   INTEGER NOT NULL DEFAULT 0,
        added        INTEGER NOT NULL DEFAULT 0,
        duplicates   INTEGER NOT NULL DEFAULT 0,
        conflicts    INTEGER NOT NULL DEFAULT 0,
        skipped      INTEGER NOT NULL DEFAULT 0,
        errors       INTEGER NOT NULL DEFAULT 0,
        report_json  TEXT NOT NULL DEFAULT '{}',
        created_at   INTEGER NOT NULL,
        updated_at   INTEGER NOT NULL
      ) STRICT;

      -- Append-only: the triggers make UPDATE and DELETE fail, whoever asks.
      CREATE TABLE audit (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        time         TEXT NOT NULL,
        event_id     TEXT NOT NULL,
        event_type   TEXT,
        action       TEXT NOT NULL CHECK (action IN ('C', 'R', 'U', 'D', 'E')),
        outcome      INTEGER NOT NULL CHECK (outcome IN (0, 4, 8, 12)),
        user_id      TEXT NOT NULL,
        objects_json TEXT NOT NULL,
        detail_json  TEXT NOT NULL
      ) STRICT;
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
    `);
  },
};
