import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, rekeyDatabase } from '../../../src-main/services/db/database';
import { migrate, schemaVersion } from '../../../src-main/services/db/migrate';
import { MIGRATIONS } from '../../../src-main/services/db/migrations/index';
import { AppError } from '../../../src-shared/errors';
import { codeOf } from '../../tools/errorCode';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'enclave-db-'));
  file = path.join(dir, 'enclave.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('encrypted database', () => {
  it('is encrypted whole-file, in WAL mode, and a wrong key is DB_WRONG_KEY with a clear message', () => {
    const key = randomBytes(32);
    const db = openDatabase({ file, key, create: true });
    migrate(db);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('secure_delete', { simple: true })).toBe(1);
    db.prepare("INSERT INTO patients VALUES ('pt-1', 'Phantom^Patricia', 'PH-0001', '19310417', 'F', 0)").run();
    db.close();
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 16).toString('latin1')).not.toBe('SQLite format 3\0');
    expect(bytes.includes(Buffer.from('Phantom^Patricia'))).toBe(false);

    let err: unknown;
    try {
      openDatabase({ file, key: randomBytes(32), create: false });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('DB_WRONG_KEY');
    expect((err as AppError).message).toMatch(/key does not open/);

    const ok = openDatabase({ file, key, create: false });
    expect(ok.prepare('SELECT patient_name FROM patients').get()).toEqual({ patient_name: 'Phantom^Patricia' });
    ok.close();
  });

  it('a missing file is not silently created on open', () => {
    expect(codeOf(() => openDatabase({ file, key: randomBytes(32), create: false }))).toBe('NOT_FOUND');
    expect(existsSync(file)).toBe(false);
  });

  it('rekeys (WAL -> DELETE -> rekey -> WAL): the new key opens it, the old one no longer does', () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const db = openDatabase({ file, key: oldKey, create: true });
    migrate(db);
    db.prepare("INSERT INTO patients VALUES ('pt-1', 'X', 'Y', '', '', 0)").run();
    rekeyDatabase(db, newKey);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.prepare("INSERT INTO patients VALUES ('pt-2', 'X2', 'Y2', '', '', 0)").run();
    db.close();
    expect(codeOf(() => openDatabase({ file, key: oldKey, create: false }))).toBe('DB_WRONG_KEY');
    const again = openDatabase({ file, key: newKey, create: false });
    expect(again.prepare('SELECT count(*) AS n FROM patients').get()).toEqual({ n: 2 });
    expect(again.pragma('integrity_check', { simple: true })).toBe('ok');
    again.close();
  });

  it('refuses a database written by a newer version (DB_NEWER_VERSION) and leaves it untouched', () => {
    const key = randomBytes(32);
    const db = openDatabase({ file, key, create: true });
    migrate(db);
    const latest = MIGRATIONS.at(-1)!.version;
    db.pragma(`user_version = ${latest + 10}`);
    let err: unknown;
    try {
      migrate(db);
    } catch (e) {
      err = e;
    }
    expect((err as AppError).code).toBe('DB_NEWER_VERSION');
    expect((err as AppError).message).toMatch(/newer version of Enclave/);
    expect(schemaVersion(db)).toBe(latest + 10);
    db.close();
  });

  it('runs each migration in one transaction: a failing step leaves neither its tables nor its version', () => {
    const db = openDatabase({ file, key: randomBytes(32), create: true });
    const failing = {
      version: 99,
      name: 'fails-halfway',
      up(d: typeof db) {
        d.exec('CREATE TABLE half_done (x INTEGER) STRICT');
        d.exec('THIS IS NOT SQL');
      },
    };
    expect(() => migrate(db, [...MIGRATIONS, failing])).toThrow();
    expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)!.version);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half_done'").get()).toEqual({ n: 0 });
    db.close();
  });
});
