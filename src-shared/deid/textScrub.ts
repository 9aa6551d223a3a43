// "Clean" (PS3.15 E.3): keep a descriptive value but blank out any identifying value that the same file
// carries elsewhere. Matching is done on the encoded bytes, so values in any Specific Character Set
// (single-byte, UTF-8, ISO 2022 with escapes) are found without decoding them.

export class IdentifierSet {
  private tokens: Uint8Array[] = [];
  private seen = new Set<string>();

  /** Adds one encoded value: the whole of each value and, for person names, each name component. */
  add(value: Uint8Array, vr: string): void {
    for (const v of splitBytes(value, 0x5c)) {
      this.addToken(v);
      if (vr === 'PN') for (const group of splitBytes(v, 0x3d)) for (const part of splitBytes(group, 0x5e)) this.addToken(part);
    }
  }

  private addToken(raw: Uint8Array): void {
    const t = trim(raw);
    // Single letters and short codes (sex, units) would blank ordinary words.
    if (t.length < 3) return;
    const key = Array.from(t, (b) => lower(b)).join(',');
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.tokens.push(t);
  }

  get size(): number {
    return this.tokens.length;
  }

  /** Returns a copy with every occurrence of an identifier replaced by '*' (same byte length); null if nothing matched. */
  scrub(value: Uint8Array): Uint8Array | null {
    let out: Uint8Array | null = null;
    for (const t of this.tokens) {
      for (let i = 0; i + t.length <= value.length; i++) {
        let match = true;
        for (let j = 0; j < t.length; j++) {
          if (lower(value[i + j] as number) !== lower(t[j] as number)) {
            match = false;
            break;
          }
        }
        if (match) {
          out ??= value.slice();
          out.fill(0x2a, i, i + t.length);
          value = out;
          i += t.length - 1;
        }
      }
    }
    return out;
  }
}

function lower(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b + 32 : b;
}

function splitBytes(b: Uint8Array, sep: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i <= b.length; i++) {
    if (i === b.length || b[i] === sep) {
      out.push(b.subarray(start, i));
      start = i + 1;
    }
  }
  return out;
}

function trim(b: Uint8Array): Uint8Array {
  let s = 0;
  let e = b.length;
  while (s < e && (b[s] === 0x20 || b[s] === 0)) s++;
  while (e > s && (b[e - 1] === 0x20 || b[e - 1] === 0)) e--;
  return b.subarray(s, e);
}
