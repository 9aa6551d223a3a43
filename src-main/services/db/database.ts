// The encrypted SQLite file: SQLite3MultipleCiphers in its SQLCipher-compatible scheme (v4), opened
// with a raw 256-bit key so no KDF runs on every open. A wrong key only shows at the first read.
import { AppError } from '../../../src-shared/errors';
import { Database, type Db } from './sqliteModule';

export type { Db };

export interface OpenDatabaseOptions {
  file: string;
  /** 32 raw bytes (derived from the data key). */
  key: Buffer;
  /** Create the file when missing (init only); otherwise a missing file is an error. */
  create: boolean;
  /** A second, reading connection (e.g. a verifier thread): the file's modes are the writer's to set. */
  readonly?: boolean;
}

function keyPragma(name: 'key' | 'rekey', key: Buffer): string {
  if (key.length !== 32) throw new AppError('INTERNAL', 'Database key must be 32 bytes.');
  return `${name}="x'${key.toString('hex')}'"`;
}

function sqliteCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

export function openDatabase(o: OpenDatabaseOptions): Db {
  let db: Db;
  try {
    db = new Database(o.file, { fileMustExist: !o.create || o.readonly === true, readonly: o.readonly === true });
  } catch (e) {
    if (sqliteCode(e) === 'SQLITE_CANTOPEN') throw new AppError('NOT_FOUND', 'The database file is missing.', { cause: e });
    throw new AppError('DB_CORRUPT', 'The database file cannot be opened.', { cause: e });
  }
  try {
    db.pragma(`cipher='sqlcipher'`);
    db.pragma('legacy=4');
    db.pragma(keyPragma('key', o.key));
    try {
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (e) {
      if (sqliteCode(e) === 'SQLITE_NOTADB') {
        throw new AppError('DB_WRONG_KEY', 'This key does not open the database (wrong key, or the file is not an Enclave store).', { cause: e });
      }
      throw new AppError('DB_CORRUPT', 'The database cannot be read.', { cause: e });
    }
    if (o.readonly) {
      db.pragma('temp_store = MEMORY');
      db.pragma('busy_timeout = 10000');
      return db;
    }
    db.pragma('journal_mode = WAL');
    // FULL: a committed import batch survives power loss, not only a killed process.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Freed pages are zeroed, so purged studies do not linger inside the file.
    db.pragma('secure_delete = ON');
    // Sorts and VACUUM's scratch copy stay in memory: no plaintext temp files, ever.
    db.pragma('temp_store = MEMORY');
    db.pragma('busy_timeout = 10000');
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** Re-encrypts the whole file under a new key. SQLite3MC refuses rekey in WAL mode, hence the round trip. */
export function rekeyDatabase(db: Db, newKey: Buffer): void {
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma('journal_mode = DELETE');
  try {
    db.pragma(keyPragma('rekey', newKey));
  } finally {
    db.pragma('journal_mode = WAL');
  }
}
