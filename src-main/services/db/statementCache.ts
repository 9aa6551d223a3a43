// Prepared once per SQL text: the store, its restrictions and the audit resolver call the same few statements
// thousands of times (an import, a review over a long trail).
import type { Db } from './database';
import type { Statement } from './sqliteModule';

export class StatementCache {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  get(sql: string): Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }
}
