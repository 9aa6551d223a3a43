// A DICOMDIR (Basic Directory IOD, PS3.3 F; PS3.10 media file-set) for a set of files this app writes:
// PATIENT -> STUDY -> SERIES -> IMAGE records with the byte offsets that link them. Explicit VR little endian.
// Names and descriptions are written in the character set of the file they come from (a record whose keys are
// not all ASCII carries its own Specific Character Set, PS3.3 F.5.x "Type 1C"), falling back to UTF-8
// (ISO_IR 192) when a character has no encoding there.
import { AppError } from '../../errors';
import { parseSpecificCharacterSet } from '../charset';
import { encodeSpecificText } from '../charsetEncode';
import { encodeAscii } from './stringValues';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './writeTree';
import { concatBytes } from '../../bytes';

export interface DicomdirEntry {
  /** Path components relative to the DICOMDIR: at most 8, each 1-8 of A-Z 0-9 _. */
  fileId: string[];
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  patientId: string;
  patientName: string;
  studyInstanceUid: string;
  studyDate: string;
  studyTime: string;
  studyId: string;
  studyDescription: string;
  accessionNumber: string;
  seriesInstanceUid: string;
  seriesNumber: string;
  modality: string;
  instanceNumber: string;
  /** The source file's Specific Character Set (0008,0005) value as written (e.g. "\\ISO 2022 IR 87"); '' or absent: default repertoire. */
  specificCharacterSet?: string;
  seriesDescription?: string;
}

type El = { tag: number; vr: string; value: Uint8Array };
const LONG = new Set(['OB', 'OW', 'SQ', 'UN', 'UT', 'UC', 'UR']);

function u16(v: number): Uint8Array {
  return new Uint8Array([v & 0xff, (v >> 8) & 0xff]);
}
function u32(v: number): Uint8Array {
  return new Uint8Array([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff]);
}
function encodeElement(e: El): Uint8Array {
  const head = [u16(e.tag >>> 16), u16(e.tag & 0xffff), new Uint8Array([e.vr.charCodeAt(0), e.vr.charCodeAt(1)])];
  if (LONG.has(e.vr)) head.push(u16(0), u32(e.value.length));
  else head.push(u16(e.value.length));
  return concatBytes([...head, e.value]);
}
const s = (tag: number, vr: string, text: string): El => ({ tag, vr, value: encodeAscii(text, vr) });

/** A text key (PN, LO, SH) kept as Unicode until its record's character set is chosen. */
type Key = El | { tag: number; vr: string; text: string };
const t = (tag: number, vr: string, text: string): Key => ({ tag, vr, text });
const SPECIFIC_CHARACTER_SET = 0x00080005;

/** Encodes a record's text keys in the source file's character set (UTF-8 when that cannot hold them). */
function encodeKeys(keys: Key[], charset: string): { els: El[]; charset: string | undefined } {
  const texts = keys.filter((k): k is { tag: number; vr: string; text: string } => 'text' in k);
  // eslint-disable-next-line no-control-regex
  if (texts.every((k) => /^[\x00-\x7f]*$/.test(k.text))) return { els: keys.map((k) => ('text' in k ? s(k.tag, k.vr, k.text) : k)), charset: undefined };
  for (const cs of [charset, 'ISO_IR 192']) {
    const terms = parseSpecificCharacterSet(cs);
    const encoded = texts.map((k) => encodeSpecificText(k.text, terms, k.vr));
    if (encoded.every((e) => e !== undefined)) {
      let i = 0;
      const els = keys.map((k) => ('text' in k ? { tag: k.tag, vr: k.vr, value: encoded[i++] as Uint8Array } : k));
      return { els: [...els, s(SPECIFIC_CHARACTER_SET, 'CS', cs)], charset: cs };
    }
  }
  throw new AppError('EXPORT_FAILED', 'a DICOMDIR key cannot be encoded');
}

const FILE_ID_PART = /^[A-Z0-9_]{1,8}$/;

interface RecordNode {
  type: 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE';
  keys: El[];
  /** The record's Specific Character Set when its keys needed one. */
  charset?: string;
  children: RecordNode[];
  offset: number;
  bytes?: Uint8Array;
}

function recordElements(n: RecordNode, next: number, lower: number): El[] {
  return [
    { tag: 0x00041400, vr: 'UL', value: u32(next) },
    { tag: 0x00041410, vr: 'US', value: u16(0xffff) },
    { tag: 0x00041420, vr: 'UL', value: u32(lower) },
    s(0x00041430, 'CS', n.type),
    ...n.keys,
  ];
}

function itemBytes(els: El[]): Uint8Array {
  const body = concatBytes([...els].sort((a, b) => a.tag - b.tag).map(encodeElement));
  return concatBytes([u16(0xfffe), u16(0xe000), u32(body.length), body]);
}

function orDummy(v: string, dummy: string): string {
  return v.trim() === '' ? dummy : v;
}

function record(type: RecordNode['type'], keys: Key[], e: DicomdirEntry): RecordNode {
  const { els, charset } = encodeKeys(keys, e.specificCharacterSet ?? '');
  return { type, keys: els, ...(charset !== undefined ? { charset } : {}), children: [], offset: 0 };
}

function buildTree(entries: readonly DicomdirEntry[]): RecordNode[] {
  const patients = new Map<string, RecordNode>();
  const studies = new Map<string, RecordNode>();
  const series = new Map<string, RecordNode>();
  for (const e of entries) {
    if (e.fileId.length < 1 || e.fileId.length > 8 || !e.fileId.every((p) => FILE_ID_PART.test(p))) throw new AppError('EXPORT_FAILED', 'invalid media file ID');
    let p = patients.get(e.patientId);
    if (!p) {
      p = record('PATIENT', [t(0x00100010, 'PN', e.patientName), t(0x00100020, 'LO', orDummy(e.patientId, 'ANONYMOUS'))], e);
      patients.set(e.patientId, p);
    }
    let st = studies.get(e.studyInstanceUid);
    if (!st) {
      // Type 1 keys of the STUDY record get a dummy when de-identification emptied them.
      st = record(
        'STUDY',
        [
          s(0x00080020, 'DA', orDummy(e.studyDate, '19000101')),
          s(0x00080030, 'TM', orDummy(e.studyTime, '000000')),
          t(0x00080050, 'SH', e.accessionNumber),
          t(0x00081030, 'LO', e.studyDescription),
          s(0x0020000d, 'UI', e.studyInstanceUid),
          t(0x00200010, 'SH', orDummy(e.studyId, '1')),
        ],
        e,
      );
      studies.set(e.studyInstanceUid, st);
      p.children.push(st);
    }
    let se = series.get(e.seriesInstanceUid);
    if (!se) {
      const description = e.seriesDescription ? [t(0x0008103e, 'LO', e.seriesDescription)] : [];
      se = record('SERIES', [s(0x00080060, 'CS', orDummy(e.modality, 'OT')), ...description, s(0x0020000e, 'UI', e.seriesInstanceUid), s(0x00200011, 'IS', orDummy(e.seriesNumber, '1'))], e);
      series.set(e.seriesInstanceUid, se);
      st.children.push(se);
    }
    se.children.push({
      type: 'IMAGE',
      keys: [
        s(0x00041500, 'CS', e.fileId.join('\\')),
        s(0x00041510, 'UI', e.sopClassUid),
        s(0x00041511, 'UI', e.sopInstanceUid),
        s(0x00041512, 'UI', e.transferSyntaxUid),
        s(0x00200013, 'IS', orDummy(e.instanceNumber, '1')),
      ],
      children: [],
      offset: 0,
    });
  }
  return [...patients.values()];
}

function flatten(nodes: RecordNode[], out: RecordNode[] = []): RecordNode[] {
  for (const n of nodes) {
    out.push(n);
    flatten(n.children, out);
  }
  return out;
}

/** Builds the DICOMDIR bytes. Offsets count from the first byte of the file (PS3.10 7.1: preamble included). */
export function buildDicomdir(entries: readonly DicomdirEntry[], fileSetId: string, fileSetUid: string): Uint8Array {
  const roots = buildTree(entries);
  const order = flatten(roots);
  const meta = concatBytes(
    [
      { tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) },
      s(0x00020002, 'UI', '1.2.840.10008.1.3.10'),
      s(0x00020003, 'UI', fileSetUid),
      s(0x00020010, 'UI', '1.2.840.10008.1.2.1'),
      s(0x00020012, 'UI', IMPLEMENTATION_CLASS_UID),
      s(0x00020013, 'SH', IMPLEMENTATION_VERSION_NAME),
    ].map(encodeElement),
  );
  const head = concatBytes([new Uint8Array(128), new Uint8Array([0x44, 0x49, 0x43, 0x4d]), encodeElement({ tag: 0x00020000, vr: 'UL', value: u32(meta.length) }), meta]);
  const before = (first: number, last: number) =>
    concatBytes([
      encodeElement(s(0x00041130, 'CS', fileSetId)),
      encodeElement({ tag: 0x00041200, vr: 'UL', value: u32(first) }),
      encodeElement({ tag: 0x00041202, vr: 'UL', value: u32(last) }),
      encodeElement({ tag: 0x00041212, vr: 'US', value: u16(0) }),
    ]);
  // Lengths do not depend on offset values (all UL), so one sizing pass fixes every position.
  let pos = head.length + before(0, 0).length + 12;
  for (const n of order) {
    n.offset = pos;
    pos += itemBytes(recordElements(n, 0, 0)).length;
  }
  const link = (siblings: RecordNode[]) => {
    siblings.forEach((n, i) => {
      n.bytes = itemBytes(recordElements(n, siblings[i + 1]?.offset ?? 0, n.children[0]?.offset ?? 0));
      link(n.children);
    });
  };
  link(roots);
  const items = concatBytes(order.map((n) => n.bytes as Uint8Array));
  const seqHead = concatBytes([u16(0x0004), u16(0x1220), new Uint8Array([0x53, 0x51]), u16(0), u32(items.length)]);
  // One character set for every record that needs one is also stated for the whole directory (after the
  // record sequence in tag order, so no offset moves), for readers that look only there.
  const sets = new Set(order.flatMap((n) => (n.charset ? [n.charset] : [])));
  const after = sets.size === 1 ? encodeElement(s(SPECIFIC_CHARACTER_SET, 'CS', [...sets][0] as string)) : new Uint8Array(0);
  return concatBytes([head, before(roots[0]?.offset ?? 0, roots[roots.length - 1]?.offset ?? 0), seqHead, items, after]);
}
