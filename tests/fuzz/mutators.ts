// Mutations of DICOM files that aim where parsers and decoders have broken before (the class of
// bugs behind MicroDicom CVE-2025-5943, RadiAnt CVE-2026-17264, GDCM CVE-2025-11266): lengths,
// offsets, nesting, fragment tables, codec frame headers, header values that size allocations,
// plus plain bit flips, truncation and splicing. Every function is deterministic given the Rng.
import type { Rng } from './prng';
import type { Seed, Site } from './seedCorpus';
import { concatBytes } from '../../src-shared/bytes';

export interface Mutation {
  bytes: Uint8Array;
  /** What was done, for the reproducer's notes (offsets and kinds only, never file contents). */
  what: string;
}

type Mutator = (rng: Rng, b: Uint8Array, seed: Seed, others: readonly Seed[]) => Mutation;

const INTERESTING_32 = [0, 1, 2, 3, 4, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0x7fff, 0x8000, 0xffff, 0x10000,
  0x7fffffff, 0x80000000, 0xfffffff0, 0xfffffffe, 0xffffffff];
const INTERESTING_16 = [0, 1, 2, 3, 7, 8, 9, 11, 12, 15, 16, 17, 24, 31, 32, 33, 64, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xfffe, 0xffff];

const TRANSFER_SYNTAXES = [
  '1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.4.50',
  '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70', '1.2.840.10008.1.2.4.80',
  '1.2.840.10008.1.2.4.81', '1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91', '1.2.840.10008.1.2.4.201',
  '1.2.840.10008.1.2.4.202', '1.2.840.10008.1.2.4.203', '1.2.840.10008.1.2.5', '1.2.840.10008.1.2.8.1',
  '1.2.840.10008.1.2.4.100', '1.2.840.10008.1.2.4.110', '1.2.840.10008.1.2.4.111', '1.2.840.10008.1.2.4.94', '9.9.9', '',
];

/** Header values that size allocations or steer decoding. */
const HEADER_TAGS = new Set([
  'x00280002', 'x00280004', 'x00280006', 'x00280008', 'x00280010', 'x00280011', 'x00280030', 'x00280100', 'x00280101',
  'x00280102', 'x00280103', 'x00281050', 'x00281051', 'x00281052', 'x00281053', 'x00281054', 'x00281101', 'x00281102',
  'x00281103', 'x00281201', 'x00281202', 'x00281203', 'x00283002', 'x00283006', 'x00200032', 'x00200037', 'x00180050',
  'x00180088', 'x00080005', 'x00020010', 'x00281041', 'x00283010', 'x00289110', 'x00209113', 'x00209116', 'x7fe00001', 'x7fe00002',
]);

const STRING_VALUES = [
  '0', '1', '-1', '2', '3', '8', '12', '16', '65535', '65536', '4294967296', '1e308', '-1e308', 'NaN', 'nan', 'Infinity', '-0',
  '1e-320', '0.5', '1\\0\\0\\0\\1\\0', '0\\0\\0\\0\\0\\0', '1\\0\\0\\1\\0\\0', '1e9\\1e9\\1e9', '\\\\\\', ' ', '',
  'MONOCHROME1', 'MONOCHROME2', 'RGB', 'PALETTE COLOR', 'YBR_FULL', 'YBR_FULL_422', 'YBR_PARTIAL_420', 'YBR_ICT', 'YBR_RCT',
  'ISO 2022 IR 87', 'ISO_IR 192', 'GB18030', 'ISO 2022 IR 149\\ISO 2022 IR 58', 'ISO_IR 999', '99999999', '2147483648',
];

function clampPos(b: Uint8Array, p: number): number {
  return Math.max(0, Math.min(b.length, p));
}

function writeUint(b: Uint8Array, pos: number, size: 1 | 2 | 4, value: number, little: boolean): void {
  if (pos < 0 || pos + size > b.length) return;
  for (let i = 0; i < size; i++) {
    const shift = 8 * (little ? i : size - 1 - i);
    b[pos + i] = Math.floor(value / 2 ** shift) & 0xff;
  }
}

const concat = (...parts: Uint8Array[]): Uint8Array => concatBytes(parts);

/** A position biased toward the header (before pixel data), where structure lives. */
function headerBiasedPos(rng: Rng, b: Uint8Array, seed: Seed): number {
  const headerEnd = seed.pixelDataPos > 0 ? Math.min(seed.pixelDataPos + 32, b.length) : Math.min(b.length, 4096);
  return rng.chance(0.7) && headerEnd > 0 ? rng.int(headerEnd) : rng.int(Math.max(1, b.length));
}

const bitFlips: Mutator = (rng, b, seed) => {
  const n = rng.pick([1, 1, 2, 4, 8, 32]);
  const out = b.slice();
  for (let i = 0; i < n && out.length > 0; i++) {
    const p = headerBiasedPos(rng, out, seed);
    if (p < out.length) out[p] = out[p]! ^ (1 << rng.int(8));
  }
  return { bytes: out, what: `bit flips x${n}` };
};

const interestingValues: Mutator = (rng, b, seed) => {
  const out = b.slice();
  const n = rng.range(1, 4);
  for (let i = 0; i < n; i++) {
    const size = rng.pick([1, 2, 4] as const);
    writeUint(out, headerBiasedPos(rng, out, seed), size, size === 4 ? rng.pick(INTERESTING_32) : rng.pick(INTERESTING_16), rng.chance(0.8));
  }
  return { bytes: out, what: `interesting values x${n}` };
};

function pickSite(rng: Rng, seed: Seed, filter: (s: Site) => boolean): Site | undefined {
  const sites = seed.sites.filter(filter);
  return sites.length ? rng.pick(sites) : undefined;
}

function lyingLength(rng: Rng, site: Site, b: Uint8Array): number {
  const remaining = b.length - site.dataPos;
  const options = [0, 1, 2, 3, site.length + 1, site.length - 1, site.length + 2, site.length * 2, remaining, remaining + 1,
    remaining - 1, remaining + 8, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, rng.u32(), 0xffff, 0xfffe];
  return rng.pick(options) >>> 0;
}

const corruptLength: Mutator = (rng, b, seed) => {
  const site = pickSite(rng, seed, () => true);
  if (!site) return bitFlips(rng, b, seed, []);
  const out = b.slice();
  const v = lyingLength(rng, site, b);
  writeUint(out, site.lengthPos, site.lengthSize, site.lengthSize === 2 ? v & 0xffff : v, site.little);
  return { bytes: out, what: `length of ${site.kind} ${site.tag} at ${site.lengthPos} set to ${site.lengthSize === 2 ? v & 0xffff : v}` };
};

const truncate: Mutator = (rng, b, seed) => {
  let at: number;
  const site = rng.chance(0.5) ? pickSite(rng, seed, () => true) : undefined;
  if (site) at = site.dataPos + rng.range(-12, 4);
  else if (rng.chance(0.3)) at = b.length - rng.range(1, 64);
  else at = rng.int(b.length + 1);
  at = clampPos(b, at);
  return { bytes: b.slice(0, at), what: `truncated to ${at} of ${b.length} bytes` };
};

const splice: Mutator = (rng, b, _seed, others) => {
  const donor = rng.chance(0.8) && others.length ? rng.pick(others).bytes : b;
  const len = Math.min(donor.length, rng.pick([4, 8, 16, 64, 512, 4096, 65536]));
  const from = rng.int(Math.max(1, donor.length - len + 1));
  const chunk = donor.subarray(from, from + len);
  const at = rng.int(b.length + 1);
  if (rng.chance(0.5)) {
    const out = b.slice();
    out.set(chunk.subarray(0, Math.max(0, out.length - at)), at);
    return { bytes: out, what: `overwrote ${chunk.length} bytes at ${at} from another file` };
  }
  const cut = rng.chance(0.3) ? rng.int(1024) : 0;
  return { bytes: concat(b.subarray(0, at), chunk, b.subarray(Math.min(b.length, at + cut))), what: `inserted ${chunk.length} bytes at ${at} (removed ${cut})` };
};

/** Element header in the seed's encoding. */
function elementHeader(group: number, element: number, vr: string, length: number, explicit: boolean, little: boolean): Uint8Array {
  const long = ['OB', 'OW', 'OV', 'SQ', 'UN', 'UT'].includes(vr);
  const out = new Uint8Array(explicit ? (long ? 12 : 8) : 8);
  writeUint(out, 0, 2, group, little);
  writeUint(out, 2, 2, element, little);
  if (!explicit) writeUint(out, 4, 4, length, little);
  else {
    out[4] = vr.charCodeAt(0);
    out[5] = vr.charCodeAt(1);
    if (long) writeUint(out, 8, 4, length, little);
    else writeUint(out, 6, 2, length, little);
  }
  return out;
}

function itemTag(element: number, length: number, little: boolean): Uint8Array {
  const out = new Uint8Array(8);
  writeUint(out, 0, 2, 0xfffe, little);
  writeUint(out, 2, 2, element, little);
  writeUint(out, 4, 4, length, little);
  return out;
}

function insertionPoint(rng: Rng, seed: Seed, b: Uint8Array): number {
  const inside = seed.boundaries.filter((p) => p < b.length && p > 0);
  return inside.length ? rng.pick(inside) : Math.min(b.length, 132);
}

const nestingBomb: Mutator = (rng, b, seed) => {
  const { explicit, little } = seed;
  const kind = rng.int(4);
  const at = insertionPoint(rng, seed, b);
  // A standard SQ tag (dictionary VR SQ, so implicit files read it as a sequence) or a private one.
  const [g, e] = rng.chance(0.5) ? [0x0008, 0x1115] : [0x0009, 0x1010];
  const parts: Uint8Array[] = [];
  let what: string;
  if (kind === 0 || kind === 1) {
    const depth = rng.pick([31, 32, 33, 64, 500, 5000, 30000]);
    const closed = kind === 1;
    const open = concat(elementHeader(g, e, 'SQ', 0xffffffff, explicit, little), itemTag(0xe000, 0xffffffff, little));
    for (let i = 0; i < depth; i++) parts.push(open);
    if (closed) {
      const close = concat(itemTag(0xe00d, 0, little), itemTag(0xe0dd, 0, little));
      for (let i = 0; i < depth; i++) parts.push(close);
    }
    what = `nesting bomb depth ${depth} (${closed ? 'closed' : 'unclosed'}) at ${at}`;
  } else if (kind === 2) {
    const items = rng.pick([1000, 5000, 30000]);
    parts.push(elementHeader(g, e, 'SQ', 0xffffffff, explicit, little));
    const one = concat(itemTag(0xe000, 0xffffffff, little), itemTag(0xe00d, 0, little));
    for (let i = 0; i < items; i++) parts.push(one);
    parts.push(itemTag(0xe0dd, 0, little));
    what = `wide sequence of ${items} items at ${at}`;
  } else {
    // Defined lengths that each claim more than their container holds.
    const depth = rng.pick([8, 40, 400]);
    const claim = rng.pick([0x7ffffff0, 0xfffffff0, 64, b.length]);
    for (let i = 0; i < depth; i++) parts.push(elementHeader(g, e, 'SQ', claim, explicit, little), itemTag(0xe000, claim, little));
    what = `lying nested lengths depth ${depth} claiming ${claim} at ${at}`;
  }
  return { bytes: concat(b.subarray(0, at), ...parts, b.subarray(at)), what };
};

function codestreamHeaderCorrupt(rng: Rng, out: Uint8Array, frag: Site): string {
  // JPEG SOFn (FFC0..FFCF except C4/C8/CC), JPEG-LS SOF55 (FFF7), J2K SIZ (FF51): corrupt dimensions / precision / components.
  const end = Math.min(out.length - 1, frag.dataPos + Math.min(frag.length, 4096));
  for (let p = frag.dataPos; p < end; p++) {
    if (out[p] !== 0xff) continue;
    const m = out[p + 1]!;
    const isSof = (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) || m === 0xf7;
    if (isSof) {
      // Lf(2) P(1) Y(2) X(2) Nf(1)
      const field = rng.pick([4, 5, 7, 9] as const);
      const size = field === 4 || field === 9 ? 1 : 2;
      writeUint(out, p + field, size, size === 1 ? rng.pick([0, 1, 2, 3, 4, 7, 8, 12, 16, 17, 255]) : rng.pick(INTERESTING_16), false);
      return `codestream SOF field +${field} at ${p}`;
    }
    if (m === 0x51) {
      // Lsiz(2) Rsiz(2) Xsiz(4) Ysiz(4) XOsiz(4) YOsiz(4) XTsiz(4) YTsiz(4) XTOsiz(4) YTOsiz(4) Csiz(2) Ssiz...
      const field = rng.pick([6, 10, 14, 18, 22, 26, 38, 40] as const);
      const size = field === 38 ? 2 : field === 40 ? 1 : 4;
      writeUint(out, p + 2 + field - 2, size, size === 1 ? rng.pick([0, 7, 11, 15, 0x8f, 0x9f, 0xff]) : size === 2 ? rng.pick(INTERESTING_16) : rng.pick(INTERESTING_32), false);
      return `codestream SIZ field +${field} at ${p}`;
    }
  }
  const at = frag.dataPos + rng.int(Math.max(1, Math.min(frag.length, 64)));
  if (at < out.length) out[at] = out[at]! ^ 0xff;
  return `codestream byte near ${frag.dataPos}`;
}

const fragmentCorrupt: Mutator = (rng, b, seed) => {
  const px = seed.sites.filter((s) => s.kind === 'bot' || s.kind === 'fragment');
  if (px.length === 0) return corruptLength(rng, b, seed, []);
  const out = b.slice();
  const bot = px.find((s) => s.kind === 'bot');
  const frags = px.filter((s) => s.kind === 'fragment');
  const choice = rng.int(6);
  if (choice === 0 && bot && bot.length >= 4) {
    const i = rng.int(bot.length / 4);
    const v = rng.pick([...INTERESTING_32, rng.u32(), b.length, b.length - bot.dataPos]);
    writeUint(out, bot.dataPos + 4 * i, 4, v, bot.little);
    return { bytes: out, what: `basic offset table entry ${i} set to ${v}` };
  }
  if (choice === 1 && bot) {
    const v = rng.pick([1, 2, 3, 5, 4 * 1000, bot.length + 4, bot.length + 2, 0xfffffff0, 0xffffffff]);
    writeUint(out, bot.lengthPos, 4, v, bot.little);
    return { bytes: out, what: `basic offset table length set to ${v}` };
  }
  if (choice === 2 && frags.length) {
    const f = rng.pick(frags);
    const v = lyingLength(rng, f, b);
    writeUint(out, f.lengthPos, 4, v, f.little);
    return { bytes: out, what: `fragment length at ${f.lengthPos} set to ${v}` };
  }
  if (choice === 3 && frags.length) {
    const f = rng.pick(frags);
    return { bytes: out, what: codestreamHeaderCorrupt(rng, out, f) };
  }
  if (choice === 4 && seed.pixelDataPos > 0 && seed.explicit && seed.little) {
    // An Extended Offset Table whose entries lie (PS3.5 A.4: 7FE0,0001 offsets / 7FE0,0002 lengths, OV).
    const n = rng.pick([1, 2, 3, 1000]);
    const offs = new Uint8Array(8 * n);
    const lens = new Uint8Array(8 * n);
    for (let i = 0; i < n; i++) {
      writeUint(offs, 8 * i, 4, rng.pick([0, 8, 16, rng.u32(), 0xffffffff, b.length]), true);
      if (rng.chance(0.2)) writeUint(offs, 8 * i + 4, 4, rng.u32(), true);
      writeUint(lens, 8 * i, 4, rng.pick([0, 1, 100, rng.u32(), 0xffffffff, b.length]), true);
    }
    const eot = concat(elementHeader(0x7fe0, 0x0001, 'OV', offs.length, true, true), offs,
      elementHeader(0x7fe0, 0x0002, 'OV', rng.chance(0.2) ? lens.length + 8 : lens.length, true, true), lens);
    return { bytes: concat(b.subarray(0, seed.pixelDataPos), eot, b.subarray(seed.pixelDataPos)), what: `extended offset table with ${n} lying entries` };
  }
  if (frags.length) {
    // Split, duplicate or drop fragments.
    const f = rng.pick(frags);
    const op = rng.int(3);
    if (op === 0) return { bytes: concat(b.subarray(0, f.headerPos), b.subarray(f.dataPos + f.length)), what: `fragment at ${f.headerPos} removed` };
    if (op === 1) {
      const dup = b.subarray(f.headerPos, f.dataPos + f.length);
      return { bytes: concat(b.subarray(0, f.headerPos), dup, dup, b.subarray(f.headerPos + dup.length)), what: `fragment at ${f.headerPos} duplicated` };
    }
    return { bytes: concat(b.subarray(0, f.headerPos), itemTag(0xe000, 0, f.little), b.subarray(f.headerPos)), what: `empty fragment inserted at ${f.headerPos}` };
  }
  return corruptLength(rng, b, seed, []);
};

/** Bytes inside a compressed frame: Huffman/quantisation tables, RLE headers, J2K markers and entropy data reach the decoders. */
const codestreamBytes: Mutator = (rng, b, seed) => {
  const frags = seed.sites.filter((s) => s.kind === 'fragment' && s.length > 0);
  if (frags.length === 0) return bitFlips(rng, b, seed, []);
  const f = rng.pick(frags);
  const out = b.slice();
  const n = rng.pick([1, 2, 4, 16]);
  // Mostly near the start, where the tables and segment headers live.
  const span = rng.chance(0.7) ? Math.min(f.length, 1024) : f.length;
  for (let i = 0; i < n; i++) {
    const at = f.dataPos + rng.int(span);
    if (at >= out.length) continue;
    out[at] = rng.chance(0.5) ? out[at]! ^ (1 << rng.int(8)) : rng.pick([0x00, 0xff, 0x7f, 0x80, 0x01, rng.int(256)]);
  }
  return { bytes: out, what: `${n} codestream byte(s) changed in the fragment at ${f.dataPos}` };
};

function asciiFit(text: string, length: number): Uint8Array {
  const out = new Uint8Array(length).fill(0x20);
  for (let i = 0; i < Math.min(length, text.length); i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

const headerValues: Mutator = (rng, b, seed) => {
  const site = pickSite(rng, seed, (s) => s.kind === 'element' && HEADER_TAGS.has(s.tag));
  if (!site) return interestingValues(rng, b, seed, []);
  const out = b.slice();
  if (site.tag === 'x00020010') {
    const uid = rng.pick(TRANSFER_SYNTAXES);
    const value = uid.length % 2 ? uid + '\0' : uid;
    const head = b.slice(site.headerPos, site.dataPos);
    writeUint(head, head.length - site.lengthSize, site.lengthSize, value.length, true);
    const v = asciiFit(value, value.length);
    return { bytes: concat(b.subarray(0, site.headerPos), head, v, b.subarray(site.dataPos + site.length)), what: `transfer syntax set to ${uid || '(empty)'}` };
  }
  if (['US', 'SS'].includes(site.vr) && site.length >= 2) {
    const i = rng.int(Math.floor(site.length / 2));
    const v = rng.pick(INTERESTING_16);
    writeUint(out, site.dataPos + 2 * i, 2, v, site.little);
    return { bytes: out, what: `${site.tag} value ${i} set to ${v}` };
  }
  if (['UL', 'SL', 'FL', 'OF', 'OV', 'FD', 'OB', 'OW'].includes(site.vr) && site.length >= 4) {
    const i = rng.int(Math.floor(site.length / 4));
    writeUint(out, site.dataPos + 4 * i, 4, rng.pick(INTERESTING_32), site.little);
    return { bytes: out, what: `${site.tag} word ${i} corrupted` };
  }
  if (site.length > 0 && site.dataPos + site.length <= out.length) {
    const text = rng.pick(STRING_VALUES);
    out.set(asciiFit(text, site.length), site.dataPos);
    return { bytes: out, what: `${site.tag} text set to "${text}" (fitted)` };
  }
  return corruptLength(rng, b, seed, []);
};

const removeOrDuplicateElement: Mutator = (rng, b, seed) => {
  const site = pickSite(rng, seed, (s) => s.kind === 'element' && s.length !== 0xffffffff && s.dataPos + s.length <= b.length);
  if (!site) return truncate(rng, b, seed, []);
  const whole = b.subarray(site.headerPos, site.dataPos + site.length);
  if (rng.chance(0.5)) return { bytes: concat(b.subarray(0, site.headerPos), b.subarray(site.dataPos + site.length)), what: `element ${site.tag} removed` };
  const at = insertionPoint(rng, seed, b);
  return { bytes: concat(b.subarray(0, at), whole, b.subarray(at)), what: `element ${site.tag} copied to ${at}` };
};

const MUTATORS: Array<[Mutator, number, string]> = [
  [bitFlips, 14, 'bitFlips'],
  [interestingValues, 10, 'interestingValues'],
  [corruptLength, 18, 'corruptLength'],
  [truncate, 8, 'truncate'],
  [splice, 8, 'splice'],
  [nestingBomb, 6, 'nestingBomb'],
  [fragmentCorrupt, 14, 'fragmentCorrupt'],
  [codestreamBytes, 10, 'codestreamBytes'],
  [headerValues, 16, 'headerValues'],
  [removeOrDuplicateElement, 6, 'removeOrDuplicateElement'],
];
const TOTAL_WEIGHT = MUTATORS.reduce((n, [, w]) => n + w, 0);

/** One to three stacked mutations of `seed`. */
export function mutate(rng: Rng, seed: Seed, others: readonly Seed[]): Mutation {
  let bytes = seed.bytes;
  const steps: string[] = [];
  const n = rng.pick([1, 1, 1, 2, 3]);
  for (let i = 0; i < n; i++) {
    let r = rng.int(TOTAL_WEIGHT);
    let chosen = MUTATORS[0]!;
    for (const m of MUTATORS) {
      if (r < m[1]) {
        chosen = m;
        break;
      }
      r -= m[1];
    }
    const m = chosen[0](rng, bytes, seed, others);
    bytes = m.bytes;
    steps.push(`${chosen[2]}: ${m.what}`);
  }
  return { bytes, what: steps.join('; ') };
}

