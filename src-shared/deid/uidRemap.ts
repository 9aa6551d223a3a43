// Replacement UIDs derived from a per-installation secret: HMAC-SHA-256(secret, original) read as a
// 128-bit number under the 2.25 root (PS3.5 B.2). The same original always maps to the same new UID,
// in one export and in every later one made with the same secret; without the secret it cannot be reversed.
import { hmacSha256 } from './sha256';

const encoder = new TextEncoder();

export interface UidRemapper {
  map(original: string): string;
  /** Originals seen so far and their replacements (kept in memory only). */
  readonly size: number;
}

export function createUidRemapper(secret: Uint8Array): UidRemapper {
  const cache = new Map<string, string>();
  return {
    map(original: string): string {
      const key = original.trim();
      if (key === '') return '';
      let out = cache.get(key);
      if (out === undefined) {
        const mac = hmacSha256(secret, encoder.encode(`uid:${key}`));
        let n = 0n;
        for (let i = 0; i < 16; i++) n = (n << 8n) | BigInt(mac[i] as number);
        out = `2.25.${n.toString(10)}`;
        cache.set(key, out);
      }
      return out;
    },
    get size() {
      return cache.size;
    },
  };
}

/** Days by which one patient's dates move under the Modified Dates option: 1 to 10 years back, fixed per patient and secret. */
export function patientDateOffsetDays(secret: Uint8Array, patientKey: string): number {
  const mac = hmacSha256(secret, encoder.encode(`date:${patientKey}`));
  const v = (((mac[0] as number) << 8) | (mac[1] as number)) % 3286;
  return -(365 + v);
}
