// Specific Character Set (0008,0005) decoding, PS3.5 6.1 and PS3.3 C.12.1.1.2.
// Follows pydicom's algorithm (our reference in tests): the value is cut at escape sequences,
// each run is decoded with the character set its escape designates, and for single-byte sets a
// delimiter (PN: ^, text: CR LF TAB FF) returns to the first character set. Unlike pydicom,
// value (\) and PN group (=) delimiters are found only outside multi-byte runs, so a JIS X 0208
// or GB18030 byte that happens to be 0x5C or 0x3D does not cut a character in two.

/** Decoders we know; names follow Python's codecs as pydicom maps them, to keep the logic comparable. */
type Codec =
  | 'iso8859'
  | 'latin_1'
  | 'iso8859_2'
  | 'iso8859_3'
  | 'iso8859_4'
  | 'iso_ir_126'
  | 'iso_ir_127'
  | 'iso_ir_138'
  | 'iso_ir_144'
  | 'iso_ir_148'
  | 'iso_ir_166'
  | 'shift_jis'
  | 'iso2022_jp'
  | 'iso2022_jp_2'
  | 'euc_kr'
  | 'iso_ir_58'
  | 'UTF8'
  | 'GB18030'
  | 'GBK';

const TERMS: Record<string, Codec> = {
  '': 'iso8859',
  'ISO_IR 6': 'iso8859',
  'ISO_IR 13': 'shift_jis',
  'ISO_IR 100': 'latin_1',
  'ISO_IR 101': 'iso8859_2',
  'ISO_IR 109': 'iso8859_3',
  'ISO_IR 110': 'iso8859_4',
  'ISO_IR 126': 'iso_ir_126',
  'ISO_IR 127': 'iso_ir_127',
  'ISO_IR 138': 'iso_ir_138',
  'ISO_IR 144': 'iso_ir_144',
  'ISO_IR 148': 'iso_ir_148',
  'ISO_IR 166': 'iso_ir_166',
  'ISO 2022 IR 6': 'iso8859',
  'ISO 2022 IR 13': 'shift_jis',
  'ISO 2022 IR 87': 'iso2022_jp',
  'ISO 2022 IR 100': 'latin_1',
  'ISO 2022 IR 101': 'iso8859_2',
  'ISO 2022 IR 109': 'iso8859_3',
  'ISO 2022 IR 110': 'iso8859_4',
  'ISO 2022 IR 126': 'iso_ir_126',
  'ISO 2022 IR 127': 'iso_ir_127',
  'ISO 2022 IR 138': 'iso_ir_138',
  'ISO 2022 IR 144': 'iso_ir_144',
  'ISO 2022 IR 148': 'iso_ir_148',
  'ISO 2022 IR 149': 'euc_kr',
  'ISO 2022 IR 159': 'iso2022_jp_2',
  'ISO 2022 IR 166': 'iso_ir_166',
  'ISO 2022 IR 58': 'iso_ir_58',
  'ISO_IR 192': 'UTF8',
  GB18030: 'GB18030',
  'ISO 2022 GBK': 'GBK',
  'ISO 2022 58': 'iso_ir_58',
  GBK: 'GBK',
};

const STAND_ALONE = new Set(['ISO_IR 192', 'GBK', 'GB18030']);

const ESC = 0x1b;

/** Escape sequence (without ESC) -> the character set it designates (PS3.3 tables C.12-3 and C.12-4). */
const ESCAPES: Record<string, Codec> = {
  '(B': 'iso8859',
  '-A': 'latin_1',
  ')I': 'shift_jis',
  '(J': 'shift_jis',
  $B: 'iso2022_jp',
  '-B': 'iso8859_2',
  '-C': 'iso8859_3',
  '-D': 'iso8859_4',
  '-F': 'iso_ir_126',
  '-G': 'iso_ir_127',
  '-H': 'iso_ir_138',
  '-L': 'iso_ir_144',
  '-M': 'iso_ir_148',
  '-T': 'iso_ir_166',
  '$)C': 'euc_kr',
  '$(D': 'iso2022_jp_2',
  '$)A': 'iso_ir_58',
};

/** Sets that keep their escape sequence when decoded (the ISO 2022 decoder interprets it). */
const KEEPS_ESCAPE = new Set<Codec>(['iso2022_jp', 'iso2022_jp_2', 'iso_ir_58']);

const PN_DELIMS = new Set([0x5e]);
const TEXT_DELIMS = new Set([0x0d, 0x0a, 0x09, 0x0c]);

/** VRs whose text follows the Specific Character Set; all others are the default repertoire. */
export const CHARSET_VRS = new Set(['SH', 'LO', 'ST', 'LT', 'UC', 'UT', 'PN']);

/** Splits (0008,0005)'s raw value into its terms; the empty first value of "\ISO 2022 IR 87" stays "". */
export function parseSpecificCharacterSet(raw: string | undefined | null): string[] {
  if (!raw) return [];
  return raw.split('\\').map((t) => t.trim());
}

/** Maps the terms to decoders, fixing common misspellings the way pydicom does. */
const resolved = new Map<string, Codec[]>();
function resolveCodecs(terms: readonly string[]): Codec[] {
  const key = terms.join('\\');
  let r = resolved.get(key);
  if (!r) {
    r = resolveUncached(terms);
    if (resolved.size < 256) resolved.set(key, r);
  }
  return r;
}

function resolveUncached(terms: readonly string[]): Codec[] {
  const list = terms.length === 0 ? [''] : [...terms];
  if (list.length > 1 && !list[0]) list[0] = 'ISO_IR 6';
  let codecs = list.map((t) => TERMS[t] ?? corrected(t));
  if (list.length > 1) {
    if (STAND_ALONE.has(list[0] as string)) codecs = codecs.slice(0, 1);
    else codecs = codecs.filter((_, i) => i === 0 || !STAND_ALONE.has(list[i] as string));
  }
  return codecs;
}

function corrected(term: string): Codec {
  let patched: string | undefined;
  if (/^ISO[^_]IR/.test(term)) patched = 'ISO_IR' + term.slice(6);
  else if (/^(?=ISO.2022.IR.)(?!ISO 2022 IR )/.test(term)) patched = 'ISO 2022 IR ' + term.slice(12);
  if (patched !== undefined) return TERMS[patched] ?? 'iso8859';
  // pydicom also accepts Python codec names here; the few that appear in the wild:
  const lower = term.toLowerCase().replace(/[-_ ]/g, '');
  if (lower === 'utf8') return 'UTF8';
  if (lower === 'latin1' || lower === 'iso88591') return 'latin_1';
  return 'iso8859';
}

const decoders = new Map<string, TextDecoder>();
function td(label: string, fatal: boolean): TextDecoder {
  const key = label + (fatal ? '!' : '');
  let d = decoders.get(key);
  if (!d) {
    d = new TextDecoder(label, { fatal, ignoreBOM: true });
    decoders.set(key, d);
  }
  return d;
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, i + 4096));
  return s;
}

/** WHATWG maps these ISO 8859 labels to Windows code pages; put the C1 controls back. */
function withC1(b: Uint8Array, label: string, fatal: boolean, undefinedBytes: readonly number[] = []): string {
  const s = td(label, fatal).decode(b);
  let out = '';
  let j = 0;
  // Single-byte decoders map byte i to char i (no surrogates in these tables).
  for (let i = 0; i < b.length; i++) {
    const c = b[i] as number;
    if (c >= 0x80 && c <= 0x9f) out += String.fromCharCode(c);
    else if (undefinedBytes.includes(c)) {
      if (fatal) throw new Error('undefined byte');
      out += '\ufffd';
    } else out += s[j];
    j++;
  }
  return out;
}

class DecodeError extends Error {}

/** ISO-2022-JP as Python's iso2022_jp(_2) decodes it; JIS X 0208/0212 go through the EUC-JP tables. */
function iso2022jp(b: Uint8Array, fatal: boolean, allow0212: boolean): string {
  let out = '';
  let mode: 'ascii' | 'roman' | 'x0208' | 'x0212' | 'kana' = 'ascii';
  const fail = (): void => {
    if (fatal) throw new DecodeError('iso-2022-jp');
    out += '\ufffd';
  };
  const euc = td('euc-jp', fatal);
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    if (c === ESC) {
      const s = String.fromCharCode(...b.subarray(i + 1, i + 4));
      const next = s.startsWith('(B')
        ? 'ascii'
        : s.startsWith('(J')
          ? 'roman'
          : s.startsWith('$@') || s.startsWith('$B')
            ? 'x0208'
            : allow0212 && s.startsWith('$(D')
              ? 'x0212'
              : s.startsWith('(I')
                ? 'kana'
                : null;
      if (next) {
        mode = next;
        i += next === 'x0212' ? 4 : 3;
      } else {
        fail();
        i++;
      }
      continue;
    }
    if (c >= 0x80) {
      fail();
      i++;
      continue;
    }
    if (c === 0x0a || c === 0x0d) {
      // Python's ISO 2022 decoders return to ASCII at a line end.
      mode = 'ascii';
      out += String.fromCharCode(c);
      i++;
      continue;
    }
    if (mode === 'x0208' || mode === 'x0212') {
      // Collect the run of two-byte characters and decode it in one call.
      let j = i;
      while (j + 1 < b.length && (b[j] as number) >= 0x21 && (b[j] as number) <= 0x7e && (b[j + 1] as number) >= 0x21 && (b[j + 1] as number) <= 0x7e) j += 2;
      if (j === i) {
        fail();
        i++;
        continue;
      }
      const run = b.subarray(i, j);
      const bytes = new Uint8Array(mode === 'x0212' ? (run.length / 2) * 3 : run.length);
      let o = 0;
      for (let k = 0; k < run.length; k += 2) {
        if (mode === 'x0212') bytes[o++] = 0x8f;
        bytes[o++] = (run[k] as number) | 0x80;
        bytes[o++] = (run[k + 1] as number) | 0x80;
      }
      try {
        out += euc.decode(bytes);
      } catch {
        throw new DecodeError('jis');
      }
      i = j;
      continue;
    }
    if (mode === 'roman') out += c === 0x5c ? '\u00a5' : c === 0x7e ? '\u203e' : String.fromCharCode(c);
    else if (mode === 'kana') out += c >= 0x21 && c <= 0x5f ? String.fromCharCode(0xff61 + c - 0x21) : String.fromCharCode(c);
    else out += String.fromCharCode(c);
    i++;
  }
  return out;
}

/** Decodes with one character set; throws DecodeError when `fatal` and the bytes are not valid in it. */
function decodeWith(codec: Codec, b: Uint8Array, fatal: boolean): string {
  try {
    switch (codec) {
      case 'iso8859':
      case 'latin_1':
        return latin1(b);
      case 'iso8859_2':
        return td('iso-8859-2', fatal).decode(b);
      case 'iso8859_3':
        return td('iso-8859-3', fatal).decode(b);
      case 'iso8859_4':
        return td('iso-8859-4', fatal).decode(b);
      case 'iso_ir_126':
        return td('iso-8859-7', fatal).decode(b);
      case 'iso_ir_127':
        return td('iso-8859-6', fatal).decode(b);
      case 'iso_ir_138':
        return td('iso-8859-8', fatal).decode(b);
      case 'iso_ir_144':
        return td('iso-8859-5', fatal).decode(b);
      case 'iso_ir_148':
        return withC1(b, 'windows-1254', fatal);
      case 'iso_ir_166':
        // TIS-620 has no 0xA0; windows-874 maps it to NBSP.
        return withC1(b, 'windows-874', fatal, [0xa0]);
      case 'shift_jis':
        return td('shift_jis', fatal).decode(b);
      case 'iso2022_jp':
        return iso2022jp(b, fatal, false);
      case 'iso2022_jp_2':
        return iso2022jp(b, fatal, true);
      case 'euc_kr':
        return td('euc-kr', fatal).decode(b);
      case 'iso_ir_58':
        return gb2312WithEscapes(b, fatal);
      case 'UTF8':
        return td('utf-8', fatal).decode(b);
      case 'GB18030':
        return td('gb18030', fatal).decode(b);
      case 'GBK':
        return td('gbk', fatal).decode(b);
    }
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError(codec);
  }
}

/** ISO 2022 IR 58: GB 2312 in G1 (bytes >= 0xA1) after ESC $ ) A; the escape itself is not text. */
function gb2312WithEscapes(b: Uint8Array, fatal: boolean): string {
  const parts: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === ESC && b[i + 1] === 0x24 && b[i + 2] === 0x29 && b[i + 3] === 0x41) {
      parts.push(b.subarray(start, i));
      start = i + 4;
      i += 3;
    }
  }
  parts.push(b.subarray(start));
  return parts.map((p) => td('gbk', fatal).decode(p)).join('');
}

function decodeLenient(codec: Codec, b: Uint8Array): string {
  try {
    return decodeWith(codec, b, false);
  } catch {
    return latin1(b);
  }
}

function decodeFragment(frag: Uint8Array, codecs: Codec[], delims: Set<number>): string {
  const first = codecs[0] as Codec;
  try {
    if (frag[0] !== ESC) return decodeWith(first, frag, true);
    const seqLen = frag[1] === 0x24 && (frag[2] === 0x28 || frag[2] === 0x29) ? 4 : 3;
    const seq = String.fromCharCode(...frag.subarray(1, seqLen));
    const codec = ESCAPES[seq];
    if (codec && (codecs.includes(codec) || codec === 'iso8859')) {
      if (KEEPS_ESCAPE.has(codec)) return decodeWith(codec, frag, true);
      const body = frag.subarray(seqLen);
      const idx = body.findIndex((x) => delims.has(x));
      if (idx >= 0) return decodeWith(codec, body.subarray(0, idx), true) + decodeWith(first, body.subarray(idx), true);
      return decodeWith(codec, body, true);
    }
    return decodeLenient(first, frag);
  } catch {
    return decodeLenient(first, frag);
  }
}

/** pydicom's decode_bytes: one value (no \ or = inside) in the given character sets. */
function decodeBytes(b: Uint8Array, codecs: Codec[], delims: Set<number>): string {
  if (!b.includes(ESC)) {
    try {
      return decodeWith(codecs[0] as Codec, b, true);
    } catch {
      return decodeLenient(codecs[0] as Codec, b);
    }
  }
  let out = '';
  let start = 0;
  for (let i = 1; i <= b.length; i++) {
    if (i === b.length || b[i] === ESC) {
      if (i > start) out += decodeFragment(b.subarray(start, i), codecs, delims);
      start = i;
    }
  }
  return out;
}

/**
 * Splits at `delim` bytes that are real delimiters: not inside an ISO 2022 two-byte run
 * (ESC $ B / ESC $ @ / ESC $ ( D until ESC ( B / ESC ( J) nor a GBK/GB18030 trail byte.
 */
function splitAt(b: Uint8Array, delim: number, codecs: Codec[]): Uint8Array[] {
  const gb = codecs[0] === 'GB18030' || codecs[0] === 'GBK';
  const out: Uint8Array[] = [];
  let start = 0;
  let twoByte = false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i] as number;
    if (c === ESC) {
      if (b[i + 1] === 0x24 && (b[i + 2] === 0x42 || b[i + 2] === 0x40 || (b[i + 2] === 0x28 && b[i + 3] === 0x44))) twoByte = true;
      else if (b[i + 1] === 0x28) twoByte = false;
      continue;
    }
    if (c === 0x0a || c === 0x0d) twoByte = false;
    if (gb && c >= 0x81 && c <= 0xfe && i + 1 < b.length) {
      const n = b[i + 1] as number;
      i += n >= 0x30 && n <= 0x39 && i + 3 < b.length ? 3 : 1;
      continue;
    }
    if (twoByte) continue;
    if (c === delim) {
      out.push(b.subarray(start, i));
      start = i + 1;
    }
  }
  out.push(b.subarray(start));
  return out;
}

function rstripNulSpace(b: Uint8Array): Uint8Array {
  let e = b.length;
  while (e > 0 && (b[e - 1] === 0 || b[e - 1] === 0x20)) e--;
  return b.subarray(0, e);
}

function trimEndNulSpace(s: string): string {
  return s.replace(/[\0 ]+$/, '');
}

/** Decoded PN values, each as its component groups (alphabetic, ideographic, phonetic; trailing empty ones dropped). */
export function decodePersonNameGroups(bytes: Uint8Array, specificCharacterSet: readonly string[]): string[][] {
  const codecs = resolveCodecs(specificCharacterSet);
  const values = splitAt(rstripNulSpace(bytes), 0x5c, codecs);
  return values.map((v) => {
    const groups = splitAt(v, 0x3d, codecs).map((g) => decodeBytes(g, codecs, PN_DELIMS));
    while (groups.length > 0 && !groups[groups.length - 1]) groups.pop();
    return groups;
  });
}

/** A PN value as text: groups joined with "=", values with "\". */
export function decodePersonName(bytes: Uint8Array, specificCharacterSet: readonly string[]): string {
  return decodePersonNameGroups(bytes, specificCharacterSet)
    .map((g) => g.join('='))
    .join('\\');
}

/**
 * Decodes a string value of any VR. SH/LO/UC/PN are multi-valued (joined back with "\"),
 * ST/LT/UT are one value; other string VRs are the default repertoire. Trailing NULs/spaces removed.
 */
export function decodeText(bytes: Uint8Array, specificCharacterSet: readonly string[], vr: string | undefined): string {
  if (vr === 'PN') return decodePersonName(bytes, specificCharacterSet);
  if (vr === undefined || !CHARSET_VRS.has(vr)) return trimEndNulSpace(latin1(bytes));
  const codecs = resolveCodecs(specificCharacterSet);
  if (vr === 'ST' || vr === 'LT' || vr === 'UT') return trimEndNulSpace(decodeBytes(bytes, codecs, TEXT_DELIMS));
  return splitAt(bytes, 0x5c, codecs)
    .map((v) => trimEndNulSpace(decodeBytes(v, codecs, TEXT_DELIMS)))
    .join('\\');
}
