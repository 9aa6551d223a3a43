// The package's "exports" map hides its index.d.ts from TypeScript's bundler resolution, so the
// constructor is imported untyped and given the package's own declared type here, in one place.
// @ts-expect-error TS7016: see above
import DatabaseUntyped from 'better-sqlite3-multiple-ciphers';
import type BetterSqlite3 from '../../../node_modules/better-sqlite3-multiple-ciphers/index';

export const Database = DatabaseUntyped as typeof BetterSqlite3;
export type Db = BetterSqlite3.Database;
export type Statement = BetterSqlite3.Statement<unknown[]>;
