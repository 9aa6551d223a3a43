// Ids that leave the store: keyed hashes of the UIDs (stable across imports, meaningless without the
// data key), or random for things that have no UID.
import { createHmac, randomBytes } from 'node:crypto';

export type OpaqueKind = 'pt' | 'st' | 'se' | 'in';

export class OpaqueIds {
  constructor(private readonly idKey: Buffer) {}

  of(kind: OpaqueKind, ...parts: string[]): string {
    const h = createHmac('sha256', this.idKey).update(kind).update('\0').update(JSON.stringify(parts)).digest();
    return `${kind}-${h.subarray(0, 16).toString('hex')}`;
  }

  static random(prefix: 'cf' | 'job'): string {
    return `${prefix}-${randomBytes(16).toString('hex')}`;
  }
}
