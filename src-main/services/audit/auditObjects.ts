// Opaque ids in, the identifiers an auditor needs out: callers name objects by opaque id only (so nothing they
// pass can smuggle free text into the trail), and the audit service looks the real UIDs, patient ID and name up in
// the same encrypted store when the event is recorded. A purge records its event before the rows go.
import type { AuditObject, AuditObjectRecord } from '../../../src-shared/audit/auditEvents';
import type { Db } from '../db/database';
import { StatementCache } from '../db/statementCache';

interface StudyRow {
  study_uid: string;
  accession_number: string;
  dicom_patient_id: string;
  patient_name: string;
}

export class AuditObjectResolver {
  private readonly statements: StatementCache;

  constructor(private readonly db: Db) {
    this.statements = new StatementCache(db);
  }

  resolve(objects: readonly AuditObject[]): AuditObjectRecord[] {
    return objects.map((o) => this.one(o));
  }

  private one(o: AuditObject): AuditObjectRecord {
    switch (o.type) {
      case 'study': {
        const r = this.get<StudyRow>(
          `SELECT s.study_uid, s.accession_number, p.dicom_patient_id, p.patient_name FROM studies s JOIN patients p ON p.patient_id = s.patient_id WHERE s.study_id = ?`,
          o.id,
        );
        if (!r) return { ...o };
        const sopClasses = this.sopClasses('SELECT i.sop_class_uid AS uid, count(*) AS n FROM instances i JOIN series se ON se.series_id = i.series_id WHERE se.study_id = ? GROUP BY i.sop_class_uid ORDER BY i.sop_class_uid', o.id);
        return { ...o, uid: r.study_uid, patientId: r.dicom_patient_id, patientName: r.patient_name, sopClasses, ...(r.accession_number ? { accession: r.accession_number } : {}) };
      }
      case 'series': {
        const r = this.get<{ series_uid: string }>('SELECT series_uid FROM series WHERE series_id = ?', o.id);
        if (!r) return { ...o };
        const sopClasses = this.sopClasses('SELECT sop_class_uid AS uid, count(*) AS n FROM instances WHERE series_id = ? GROUP BY sop_class_uid ORDER BY sop_class_uid', o.id);
        return { ...o, uid: r.series_uid, sopClasses };
      }
      case 'instance': {
        const r = this.get<{ sop_instance_uid: string; sop_class_uid: string }>('SELECT sop_instance_uid, sop_class_uid FROM instances WHERE instance_id = ?', o.id);
        return r ? { ...o, uid: r.sop_instance_uid, sopClasses: [{ uid: r.sop_class_uid, instances: 1 }] } : { ...o };
      }
      case 'patient': {
        const r = this.get<{ dicom_patient_id: string; patient_name: string }>('SELECT dicom_patient_id, patient_name FROM patients WHERE patient_id = ?', o.id);
        return r ? { ...o, uid: r.dicom_patient_id, name: r.patient_name } : { ...o };
      }
      case 'user': {
        // The account's name as it was when the event happened (the users table arrives with migration 0060).
        const r = this.hasUsers() ? this.get<{ username: string }>('SELECT username FROM users WHERE user_id = ?', o.id) : undefined;
        return r ? { ...o, name: r.username } : { ...o };
      }
      default:
        return { ...o };
    }
  }

  private usersTable: boolean | null = null;

  private hasUsers(): boolean {
    this.usersTable ??= this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'users'").get() !== undefined;
    return this.usersTable;
  }

  private get<T>(sql: string, id: string): T | undefined {
    return this.stmt(sql).get(id) as T | undefined;
  }

  private sopClasses(sql: string, id: string): { uid: string; instances: number }[] {
    return (this.stmt(sql).all(id) as { uid: string; n: number }[]).map((r) => ({ uid: r.uid, instances: r.n }));
  }

  private stmt(sql: string) {
    return this.statements.get(sql);
  }
}
