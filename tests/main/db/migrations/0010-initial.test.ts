import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../../src-main/services/db/database';
import { migrate, schemaVersion } from '../../../../src-main/services/db/migrate';
import { migration0010 } from '../../../../src-main/services/db/migrations/0010-initial';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'enclave-mig-'));
  db = openDatabase({ file: path.join(dir, 'e.db'), key: randomBytes(32), create: true });
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const TABLES = ['audit', 'import_jobs', 'instance_conflicts', 'instances', 'patients', 'series', 'studies', 'thumbnails'];

describe('migration 0010 (initial schema)', () => {
  it('creates the tables, all STRICT, and sets user_version to 10', () => {
    expect(migrate(db, [migration0010])).toEqual({ from: 0, to: 10 });
    expect(schemaVersion(db)).toBe(10);
    const tables = db.prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%' ORDER BY name").all();
    expect(tables).toEqual(TABLES.map((name) => ({ name, strict: 1 })));
    // Running again is a no-op.
    expect(migrate(db, [migration0010])).toEqual({ from: 10, to: 10 });
  });

  it('STRICT types and foreign keys hold', () => {
    migrate(db, [migration0010]);
    expect(() => db.prepare("INSERT INTO patients VALUES ('pt-1', 'a', 'b', 'c', 'd', 'not a number')").run()).toThrow(/cannot store TEXT value in INTEGER/);
    expect(() =>
      db.prepare("INSERT INTO studies VALUES ('st-1', '1.2.3', 'pt-missing', '', '', '', '', 0, NULL)").run(),
    ).toThrow(/FOREIGN KEY/);
  });

  it('makes the audit table append-only', () => {
    migrate(db, [migration0010]);
    db.prepare("INSERT INTO audit (time, event_id, event_type, action, outcome, user_id, objects_json, detail_json) VALUES ('t', '110100', NULL, 'E', 0, 'local', '[]', '{}')").run();
    expect(() => db.prepare("UPDATE audit SET user_id = 'someone'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    expect(db.prepare('SELECT count(*) AS n FROM audit').get()).toEqual({ n: 1 });
  });
});
