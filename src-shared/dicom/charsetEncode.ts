// Unicode text -> bytes in a Specific Character Set (PS3.5 6.1, PS3.3 C.12.1.1.2), the inverse of charset.ts
// for what Enclave writes (DICOMDIR records). Single-byte sets and the ISO 2022 multi-byte sets are mapped
// by inverting the platform's own decoders (TextDecoder), so the tables are those the reader side uses.
// Code extensions follow PS3.5 6.1.2.5.3: a multi-byte set is designated by its escape sequence, and the
// default repertoire is designated again before every "^", "=" (PN), "\", control delimiter and at the end.

type SetKind = { kind: 'ascii' } | { kind: 'g1'; name: string; escape: number[]; map: Map<string, number> } | { kind: 'g0multi' | 'g1multi'; name: string; escape: number[]; map: Map<string, number> };

const ESC = 0x1b;
const esc = (s: string) => [ESC, ...Array.from(s, (c) => c.charCodeAt(0))];

const singleByteCache = new Map<string, Map<string, number>>();
/** Characters of bytes 0xA0..0xFF as the WHATWG decoder for `label` reads them (the G1 half of an ISO 8859 set). */
function singleByteMap(label: string, from = 0xa0, to = 0xff): Map<string, number> {
  let m = singleByteCache.get(label);
  if (!m) {
    m = new Map();
    const d = new TextDecoder(label);
    for (let b = from; b <= to; b++) {
      const c = d.decode(new Uint8Array([b]));
      if (c !== '\ufffd' && !m.has(c)) m.set(c, b);
    }
    singleByteCache.set(label, m);
  }
  return m;
}

const doubleByteCache = new Map<string, Map<string, number>>();
/** Characters of the 94x94 set as the EUC decoder for `label` reads byte pairs 0xA1..0xFE (value: pair as 16 bits). */
function doubleByteMap(label: string): Map<string, number> {
  let m = doubleByteCache.get(label);
  if (!m) {
    m = new Map();
    const d = new TextDecoder(label);
    const pair = new Uint8Array(2);
    for (let a = 0xa1; a <= 0xfe; a++) {
      for (let b = 0xa1; b <= 0xfe; b++) {
        pair[0] = a;
        pair[1] = b;
        const c = d.decode(pair);
        if (c.length === 1 && c !== '\ufffd' && !m.has(c)) m.set(c, (a << 8) | b);
      }
    }
    doubleByteCache.set(label, m);
  }
  return m;
}

const SINGLE: Record<string, { label: string; escape: string }> = {
  'ISO_IR 100': { label: 'iso-8859-1', escape: '-A' },
  'ISO_IR 101': { label: 'iso-8859-2', escape: '-B' },
  'ISO_IR 109': { label: 'iso-8859-3', escape: '-C' },
  'ISO_IR 110': { label: 'iso-8859-4', escape: '-D' },
  'ISO_IR 144': { label: 'iso-8859-5', escape: '-L' },
  'ISO_IR 127': { label: 'iso-8859-6', escape: '-G' },
  'ISO_IR 126': { label: 'iso-8859-7', escape: '-F' },
  'ISO_IR 138': { label: 'iso-8859-8', escape: '-H' },
  'ISO_IR 148': { label: 'iso-8859-9', escape: '-M' },
  'ISO_IR 166': { label: 'windows-874', escape: '-T' },
};

function setFor(term: string): SetKind | undefined {
  const t = term.trim();
  if (t === '' || t === 'ISO_IR 6' || t === 'ISO 2022 IR 6') return { kind: 'ascii' };
  const single = SINGLE[t.replace(/^ISO 2022 IR /, 'ISO_IR ')];
  // iso-8859-1 is windows-1252 in WHATWG: only 0xA0..0xFF are the ISO set.
  if (single) return { kind: 'g1', name: t, escape: esc(single.escape), map: singleByteMap(single.label) };
  if (t === 'ISO 2022 IR 13' || t === 'ISO_IR 13') return { kind: 'g1', name: t, escape: esc(')I'), map: singleByteMap('shift_jis', 0xa1, 0xdf) };
  if (t === 'ISO 2022 IR 87') return { kind: 'g0multi', name: t, escape: esc('$B'), map: doubleByteMap('euc-jp') };
  if (t === 'ISO 2022 IR 149') return { kind: 'g1multi', name: t, escape: esc('$)C'), map: doubleByteMap('euc-kr') };
  return undefined;
}

const PN_DELIMS = new Set(['^', '=', '\\']);
const TEXT_DELIMS = new Set(['\\', '\r', '\n', '\t', '\f']);

/**
 * Encodes `text` for an element of `vr` in the character set whose (0008,0005) terms are given, padded to even
 * length with a space. Returns undefined when a character has no encoding in that set (the caller then picks
 * another set, e.g. ISO_IR 192), never a lossy '?' substitution.
 */
export function encodeSpecificText(text: string, terms: readonly string[], vr: string): Uint8Array | undefined {
  const list = terms.length === 0 ? [''] : terms;
  let out: number[];
  if (list[0] === 'ISO_IR 192') out = Array.from(new TextEncoder().encode(text));
  else {
    const sets = list.map(setFor);
    if (sets.some((s) => s === undefined)) return undefined;
    const first = sets[0] as SetKind;
    const extended = list.length > 1 || list[0]?.startsWith('ISO 2022');
    const delims = vr === 'PN' ? PN_DELIMS : TEXT_DELIMS;
    out = [];
    let g0: SetKind = { kind: 'ascii' };
    let g1: SetKind | undefined = first.kind === 'g1' || first.kind === 'g1multi' ? first : undefined;
    const toDefault = () => {
      if (g0.kind !== 'ascii') out.push(...esc('(B'));
      g0 = { kind: 'ascii' };
      g1 = first.kind === 'g1' || first.kind === 'g1multi' ? first : undefined;
    };
    for (const ch of text) {
      if (ch.charCodeAt(0) < 0x80) {
        if (delims.has(ch) || g0.kind !== 'ascii') toDefault();
        out.push(ch.charCodeAt(0));
        continue;
      }
      const set = sets.find((s) => s && s.kind !== 'ascii' && s.map.has(ch)) as Exclude<SetKind, { kind: 'ascii' }> | undefined;
      if (!set) return undefined;
      const code = set.map.get(ch) as number;
      if (set.kind === 'g0multi') {
        if (g0 !== set) out.push(...set.escape);
        g0 = set;
        out.push((code >> 8) - 0x80, (code & 0xff) - 0x80);
        continue;
      }
      if (g1 !== set) {
        if (!extended) return undefined;
        out.push(...set.escape);
        g1 = set;
      }
      if (set.kind === 'g1multi') out.push(code >> 8, code & 0xff);
      else out.push(code);
    }
    toDefault();
  }
  if (out.length % 2 === 1) out.push(0x20);
  return new Uint8Array(out);
}
