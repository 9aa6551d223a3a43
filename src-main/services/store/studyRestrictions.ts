// Restricted studies in the encrypted store (migration 0065): who is named on a study, whether a viewer may see
// it, and which study an opaque series or instance id belongs to (so the permission guard can ask before any
// handler runs). Decisions, written once here and documented in the guard:
// - a restricted study is visible and openable only by the users and roles named on it;
// - viewers who manage restrictions (administrators) also see it in lists and search, marked restricted, so they
//   can manage it; opening its images still needs them named (a user or the 'admin' role);
// - break-glass does not lift a restriction (see permissionGuard.ts).
import type { Role } from '../../../src-shared/auth/permissions';
import type { StudyRestriction } from '../../../src-shared/ipc/contract';
import type { Db } from '../db/database';
import { StatementCache } from '../db/statementCache';

/** Who is looking at the study list: the logged-in user. */
export interface StudyViewer {
  userId: string;
  role: Role;
  /** Lists show restricted studies (marked) even where the viewer is not named: the administrators who manage them. */
  seesAllRestricted: boolean;
}

/** A SQL condition over `studies s`, with its arguments: the study is visible to the viewer. */
export function visibleStudySql(viewer: StudyViewer): { clause: string; args: string[] } {
  if (viewer.seesAllRestricted) return { clause: '1', args: [] };
  // Uncorrelated: SQLite builds the set of hidden study ids once per statement, then each row is one probe.
  return {
    clause: `s.study_id NOT IN (SELECT study_id FROM study_restrictions EXCEPT
      SELECT study_id FROM study_restrictions WHERE (kind = 'user' AND name = ?) OR (kind = 'role' AND name = ?))`,
    args: [viewer.userId, viewer.role],
  };
}

/** A SQL column (0 or 1) over `studies s`: the study is restricted. */
export const RESTRICTED_COLUMN_SQL = 's.study_id IN (SELECT study_id FROM study_restrictions) AS restricted';

export type StudyRef = { studyId: string } | { seriesId: string } | { instanceId: string };

export class StudyRestrictions {
  private readonly statements: StatementCache;

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {
    this.statements = new StatementCache(db);
  }

  /** The restriction on a study, or null when it has none. */
  get(studyId: string): StudyRestriction | null {
    const rows = this.stmt('SELECT kind, name FROM study_restrictions WHERE study_id = ? ORDER BY kind, name').all(studyId) as { kind: 'user' | 'role'; name: string }[];
    if (rows.length === 0) return null;
    return { studyId, users: rows.filter((r) => r.kind === 'user').map((r) => r.name), roles: rows.filter((r) => r.kind === 'role').map((r) => r.name as Role) };
  }

  /** Replaces the study's restriction; no users and no roles lifts it. NOT_FOUND is the caller's to raise. */
  set(studyId: string, users: readonly string[], roles: readonly Role[], by: string): StudyRestriction | null {
    const insert = this.stmt('INSERT OR IGNORE INTO study_restrictions (study_id, kind, name, created_at, created_by) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      this.stmt('DELETE FROM study_restrictions WHERE study_id = ?').run(studyId);
      const at = this.now();
      for (const u of users) insert.run(studyId, 'user', u, at, by);
      for (const r of roles) insert.run(studyId, 'role', r, at, by);
    })();
    return this.get(studyId);
  }

  /** Whether a study exists in this store (a restriction is only ever set on one that does). */
  hasStudy(studyId: string): boolean {
    return this.stmt('SELECT 1 FROM studies WHERE study_id = ?').get(studyId) !== undefined;
  }

  /** The study an id belongs to in this store, or null when the store has no such object. */
  studyOf(ref: StudyRef): string | null {
    let r: { study_id: string } | undefined;
    if ('studyId' in ref) r = this.stmt('SELECT study_id FROM studies WHERE study_id = ?').get(ref.studyId) as typeof r;
    else if ('seriesId' in ref) r = this.stmt('SELECT study_id FROM series WHERE series_id = ?').get(ref.seriesId) as typeof r;
    else r = this.stmt('SELECT se.study_id FROM instances i JOIN series se ON se.series_id = i.series_id WHERE i.instance_id = ?').get(ref.instanceId) as typeof r;
    return r?.study_id ?? null;
  }

  /** Whether the user (by id or role) may open the study's images: unrestricted, or named on it. */
  mayOpen(studyId: string, userId: string, role: Role): boolean {
    const rows = this.stmt('SELECT kind, name FROM study_restrictions WHERE study_id = ?').all(studyId) as { kind: string; name: string }[];
    return rows.length === 0 || rows.some((r) => (r.kind === 'user' && r.name === userId) || (r.kind === 'role' && r.name === role));
  }

  private stmt(sql: string) {
    return this.statements.get(sql);
  }
}
