// The study browser searches 100,000 studies without touching series or instances: each study row carries
// its patient's name and ID normalised for search (studySearch.ts says how), its modalities and its counts,
// kept up to date by the store as instances arrive. Indexes serve every sort order and the prefix and date
// range searches, and cover every searched column; an existing cache is filled in here.
import { encodeModalities } from '../../store/studySearchSql';
import { normaliseStudy } from '../../store/studySearch';
import type { Migration } from './migration';

export const migration0020: Migration = {
  version: 20,
  name: 'study-search',
  up(db) {
    db.exec(`
      ALTER TABLE studies ADD COLUMN patient_name_norm TEXT NOT NULL DEFAULT '';
      ALTER TABLE studies ADD COLUMN patient_id_norm TEXT NOT NULL DEFAULT '';
      ALTER TABLE studies ADD COLUMN accession_norm TEXT NOT NULL DEFAULT '';
      ALTER TABLE studies ADD COLUMN description_norm TEXT NOT NULL DEFAULT '';
      -- ',CT,MR,' (sorted, comma-delimited so one modality is found with instr) or '' for none.
      ALTER TABLE studies ADD COLUMN modalities TEXT NOT NULL DEFAULT '';
      ALTER TABLE studies ADD COLUMN series_count INTEGER NOT NULL DEFAULT 0 CHECK (series_count >= 0);
      ALTER TABLE studies ADD COLUMN instance_count INTEGER NOT NULL DEFAULT 0 CHECK (instance_count >= 0);
    `);
    const rows = db
      .prepare('SELECT s.study_id, p.patient_name, p.dicom_patient_id, s.accession_number, s.description FROM studies s JOIN patients p ON p.patient_id = s.patient_id')
      .all() as { study_id: string; patient_name: string; dicom_patient_id: string; accession_number: string; description: string }[];
    const setNorm = db.prepare('UPDATE studies SET patient_name_norm = ?, patient_id_norm = ?, accession_norm = ?, description_norm = ? WHERE study_id = ?');
    for (const r of rows) {
      const n = normaliseStudy({ patientName: r.patient_name, patientId: r.dicom_patient_id, accessionNumber: r.accession_number, studyDescription: r.description });
      setNorm.run(n.name, n.patientId, n.accession, n.description, r.study_id);
    }
    const modalities = new Map<string, string[]>();
    for (const r of db.prepare('SELECT DISTINCT study_id, modality FROM series').all() as { study_id: string; modality: string }[]) {
      modalities.set(r.study_id, [...(modalities.get(r.study_id) ?? []), r.modality]);
    }
    const setModalities = db.prepare('UPDATE studies SET modalities = ? WHERE study_id = ?');
    for (const [studyId, list] of modalities) setModalities.run(encodeModalities(list), studyId);
    db.exec(`
      UPDATE studies SET
        series_count = (SELECT count(*) FROM series se WHERE se.study_id = studies.study_id),
        instance_count = (SELECT count(*) FROM instances i JOIN series se ON se.series_id = i.series_id WHERE se.study_id = studies.study_id);

      -- One index per sort order, its key the order itself; the searched columns ride along, so a page
      -- and its count are read from one index without visiting the table (see studySearchSql.ts).
      CREATE INDEX studies_by_date ON studies(study_date, study_time, patient_name_norm, study_id,
        patient_id_norm, accession_norm, description_norm, modalities);
      CREATE INDEX studies_by_name ON studies(patient_name_norm, patient_id_norm, study_date, study_time, study_id,
        accession_norm, description_norm, modalities);
      CREATE INDEX studies_by_patient_id ON studies(patient_id_norm, patient_name_norm, study_date, study_time, study_id,
        accession_norm, description_norm, modalities);
      CREATE INDEX studies_by_accession ON studies(accession_norm);

      -- The distinct descriptions (a few hundred protocol names, typically): a substring search scans these,
      -- then finds the studies by index, instead of testing every study's description.
      CREATE TABLE study_descriptions (description_norm TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;
      INSERT OR IGNORE INTO study_descriptions SELECT DISTINCT description_norm FROM studies;
      CREATE INDEX studies_by_description ON studies(description_norm);
    `);
  },
};
