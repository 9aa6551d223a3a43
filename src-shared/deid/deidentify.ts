// The Annex E action engine: applies Table E.1-1 and the chosen options to every element of a file, at the
// top level and in every sequence item at any depth, then adds the conformance attributes.
import type { DicomElement, DicomItem, DicomTree } from '../dicom/write/elementTree';
import { findElement, groupOf, isPrivateTag, STRING_VRS } from '../dicom/write/elementTree';
import { asciiValue, encodeAscii } from '../dicom/write/stringValues';
import { readTree, type ReadTreeOptions } from '../dicom/write/readTree';
import { writeTree } from '../dicom/write/writeTree';
import { addConformanceAttributes } from './conformance';
import { shiftDateValue } from './dateShift';
import { profileRowFor, type Resolved, resolveRow, validateOptions } from './profile';
import type { DeidOptions } from './profileTypes';
import { IdentifierSet } from './textScrub';
import { createUidRemapper, patientDateOffsetDays, type UidRemapper } from './uidRemap';
import { SAFE_PRIVATE_ATTRIBUTES, safePrivateIndex, safePrivateKey, type SafePrivateAttribute } from './safePrivate';

export type { SafePrivateAttribute } from './safePrivate';

/** State shared by every file of one export, so UIDs map consistently across them. */
export interface DeidContext {
  secret: Uint8Array;
  options: DeidOptions;
  uids: UidRemapper;
  safePrivate: readonly SafePrivateAttribute[];
  /** `safePrivate` keyed by creator, group and element byte. */
  safePrivateByKey: ReadonlyMap<string, SafePrivateAttribute>;
}

/** `safePrivate` defaults to PS3.15 Table E.3.10-1; it is used only under the Retain Safe Private option. */
export function createDeidContext(secret: Uint8Array, options: DeidOptions = {}, safePrivate: readonly SafePrivateAttribute[] = SAFE_PRIVATE_ATTRIBUTES): DeidContext {
  validateOptions(options);
  return { secret, options, uids: createUidRemapper(secret), safePrivate, safePrivateByKey: safePrivateIndex(safePrivate) };
}

export interface DeidFileReport {
  removed: number;
  emptied: number;
  dummied: number;
  uidsReplaced: number;
  keptByOption: number;
  cleaned: number;
  datesShifted: number;
  privateRemoved: number;
  overlayCurveRemoved: number;
}

type Mode = 'normal' | 'dummyLeaves' | 'cleanLeaves';

// Registry UIDs (SOP classes, transfer syntaxes, coding schemes, context groups, mapping resources)
// identify nothing and must stay for the file to remain usable.
const REGISTRY_UID_TAGS = new Set([
  0x00080016, 0x00081150, 0x0004151a, 0x0008001a, 0x0008001b, 0x00020002, 0x00020010, 0x00041512, 0x00080062, 0x0008010c, 0x00080117, 0x00080118,
]);
const ENCRYPTED_ATTRIBUTES = 0x04000500;
const TEXT_VRS = new Set(['AE', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UT', 'UR', 'DA', 'DT', 'TM', 'AS']);

function effectiveVr(el: DicomElement, rowVr?: string): string {
  if (el.items) return 'SQ';
  if (el.vr !== 'UN') return el.vr;
  return rowVr && /^[A-Z]{2}$/.test(rowVr) ? rowVr : 'UN';
}

function dummyFor(vr: string, length: number): Uint8Array {
  switch (vr) {
    case 'DA':
      return encodeAscii('19000101', vr);
    case 'DT':
      return encodeAscii('19000101000000', vr);
    case 'TM':
      return encodeAscii('000000', vr);
    case 'AS':
      return encodeAscii('000Y', vr);
    case 'DS':
    case 'IS':
      return encodeAscii('0', vr);
    case 'UR':
      return encodeAscii('urn:x-enclave:anonymized', vr);
    default:
      if (STRING_VRS.has(vr)) return encodeAscii('ANONYMIZED', vr);
      // Binary values: zeros of the same size keep the value multiplicity valid.
      return new Uint8Array(Math.max(length, 2) + (length % 2));
  }
}

class Engine {
  report: DeidFileReport = { removed: 0, emptied: 0, dummied: 0, uidsReplaced: 0, keptByOption: 0, cleaned: 0, datesShifted: 0, privateRemoved: 0, overlayCurveRemoved: 0 };
  constructor(
    private ctx: DeidContext,
    private identifiers: IdentifierSet,
    private dateOffset: number,
    private declaredSafety: ReadonlyMap<string, DeclaredBlock> = new Map(),
    private root: DicomItem = { elements: [] },
  ) {}

  private remapUids(el: DicomElement): void {
    const text = asciiValue(el);
    if (text === '') return;
    el.value = encodeAscii(text.split('\\').map((u) => this.ctx.uids.map(u)).join('\\'), 'UI');
    this.report.uidsReplaced++;
  }

  private scrub(el: DicomElement): boolean {
    if (!el.value) return false;
    const s = this.identifiers.scrub(el.value);
    if (s) el.value = s;
    return s !== null;
  }

  /** Applies one resolved action; returns false when the element is to be dropped. */
  private apply(el: DicomElement, r: Resolved, vr: string, mode: Mode): boolean {
    switch (r.kind) {
      case 'remove':
        this.report.removed++;
        return false;
      case 'empty':
        if (el.items) el.items = [];
        else el.value = new Uint8Array(0);
        delete el.fragments;
        this.report.emptied++;
        return true;
      case 'dummy':
        this.report.dummied++;
        if (el.items) {
          this.items(el, 'dummyLeaves');
          return true;
        }
        if (vr === 'UI') this.remapUids(el);
        else el.value = dummyFor(vr, el.value?.length ?? 0);
        delete el.fragments;
        return true;
      case 'uid':
        if (!el.items && vr === 'UI') this.remapUids(el);
        else if (el.items) this.items(el, mode);
        return true;
      case 'keepSequenceReplaceUids':
        if (el.items) this.items(el, mode);
        else if (vr === 'UI') this.remapUids(el);
        return true;
      case 'keep':
        this.report.keptByOption++;
        if (el.items) this.items(el, mode);
        return true;
      case 'clean':
        this.report.cleaned++;
        if (el.items) this.items(el, 'cleanLeaves');
        else this.scrub(el);
        return true;
      case 'shiftDates': {
        if (vr !== 'DA' && vr !== 'DT') {
          // Times of day stay (the shift is whole days); other text under this column is cleaned.
          if (vr !== 'TM' && this.scrub(el)) this.report.cleaned++;
          else this.report.keptByOption++;
          return true;
        }
        const shifted = shiftDateValue(vr, asciiValue(el), this.dateOffset);
        if (shifted === undefined) {
          this.report.removed++;
          return false;
        }
        el.value = encodeAscii(shifted, vr);
        this.report.datesShifted++;
        return true;
      }
    }
  }

  private items(el: DicomElement, mode: Mode): void {
    for (const item of el.items ?? []) this.item(item, mode);
  }

  /** A listed row applies when the element's VR agrees with the table's and the row's condition (if any) holds. */
  private listedSafe(row: SafePrivateAttribute, el: DicomElement): boolean {
    const vr = el.items ? 'SQ' : el.vr;
    if (row.vr && vr !== 'UN' && !row.vr.split('/').includes(vr)) return false;
    const c = row.condition;
    if (!c) return true;
    const v = findElement(this.root, c.tag);
    return v !== undefined && c.oneOf.includes(asciiValue(v).trim().toUpperCase());
  }

  private keepPrivate(item: DicomItem, el: DicomElement): boolean {
    if (!this.ctx.options.retainSafePrivate) return false;
    const group = groupOf(el.tag);
    const elem = el.tag & 0xffff;
    if (elem < 0x1000) return false;
    const block = elem >> 8;
    const creatorEl = findElement(item, ((group << 16) | block) >>> 0);
    const creator = creatorEl ? asciiValue(creatorEl).trim() : '';
    const row = this.ctx.safePrivateByKey.get(safePrivateKey(creator, group, elem & 0xff));
    if (row && this.listedSafe(row, el)) return true;
    const declared = this.declaredSafety.get(`${group}:${creator}`);
    return declared !== undefined && (declared.status === 'SAFE' || (declared.status === 'MIXED' && declared.safe.has(elem & 0xff)));
  }

  item(item: DicomItem, mode: Mode): void {
    const kept: DicomElement[] = [];
    const keptPrivateBlocks = new Set<number>();
    for (const el of item.elements) {
      const group = groupOf(el.tag);
      if (group === 0x0002) {
        // File meta elements inside a data set (seen in the wild) are rebuilt by the writer, never copied.
        this.report.removed++;
        continue;
      }
      if (isPrivateTag(el.tag)) {
        const elem = el.tag & 0xffff;
        if (elem >= 0x0010 && elem <= 0x00ff) {
          kept.push(el);
          continue;
        }
        if (this.keepPrivate(item, el)) {
          keptPrivateBlocks.add(((group << 16) | (elem >> 8)) >>> 0);
          if (el.items) this.items(el, 'cleanLeaves');
          // A kept private UID (e.g. an analysed series) follows the same remapping as the standard ones.
          else if (el.vr === 'UI' && !this.ctx.options.retainUids) this.remapUids(el);
          else if (this.scrub(el)) this.report.cleaned++;
          kept.push(el);
        } else this.report.privateRemoved++;
        continue;
      }
      const overlayOrCurve = (group >= 0x6000 && group <= 0x601e) || (group >= 0x5000 && group <= 0x501e);
      if (overlayOrCurve) {
        if (this.ctx.options.cleanGraphics) {
          // Overlay/curve text (labels, descriptions, comments) is cleaned; the graphics stay.
          if (STRING_VRS.has(effectiveVr(el)) && this.scrub(el)) this.report.cleaned++;
          kept.push(el);
        } else this.report.overlayCurveRemoved++;
        continue;
      }
      if (el.tag === ENCRYPTED_ATTRIBUTES) {
        // Another party's encrypted copy of the original values (E.1.2): not ours to pass on.
        this.report.removed++;
        continue;
      }
      const row = profileRowFor(el.tag);
      const vr = effectiveVr(el, row?.vr);
      if (row) {
        if (this.apply(el, resolveRow(row, this.ctx.options), vr, mode)) kept.push(el);
        continue;
      }
      if (el.items) this.items(el, mode);
      else if (vr === 'UI' && !this.ctx.options.retainUids && !REGISTRY_UID_TAGS.has(el.tag) && !asciiValue(el).startsWith('1.2.840.10008.')) {
        // Not named by the table, but a UID outside the DICOM registry can carry an organisation root.
        this.remapUids(el);
      } else if (mode === 'dummyLeaves' && TEXT_VRS.has(vr) && el.value && el.value.length > 0) {
        el.value = dummyFor(vr, el.value.length);
      } else if (mode === 'cleanLeaves' && TEXT_VRS.has(vr)) {
        if (this.scrub(el)) this.report.cleaned++;
      }
      kept.push(el);
    }
    // A private creator stays only while its block still holds something.
    item.elements = kept.filter((el) => {
      if (!isPrivateTag(el.tag)) return true;
      const elem = el.tag & 0xffff;
      if (elem < 0x0010 || elem > 0x00ff) return true;
      return keptPrivateBlocks.has(el.tag);
    });
  }
}

interface DeclaredBlock {
  status: string;
  safe: ReadonlySet<number>;
}

/**
 * The file's own statement of which private blocks are safe (Private Data Element Characteristics Sequence,
 * (0008,0300), PS3.3 C.12.1.1.7), which PS3.15 E.3.10 lets the Retain Safe Private Option rely on.
 */
function declaredPrivateSafety(ds: DicomItem, little: boolean): Map<string, DeclaredBlock> {
  const out = new Map<string, DeclaredBlock>();
  const seq = findElement(ds, 0x00080300);
  const u16s = (v: Uint8Array | undefined) => {
    const r: number[] = [];
    if (!v) return r;
    const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
    for (let i = 0; i + 1 < v.length; i += 2) r.push(dv.getUint16(i, little));
    return r;
  };
  for (const item of seq?.items ?? []) {
    const group = u16s(findElement(item, 0x00080301)?.value)[0];
    const creatorEl = findElement(item, 0x00080302);
    const statusEl = findElement(item, 0x00080303);
    if (group === undefined || !creatorEl || !statusEl) continue;
    out.set(`${group}:${asciiValue(creatorEl).trim()}`, {
      status: asciiValue(statusEl).trim().toUpperCase(),
      safe: new Set(u16s(findElement(item, 0x00080304)?.value)),
    });
  }
  return out;
}

/** Collects the encoded values the profile does not keep, so that Clean can find them inside free text. */
function collectIdentifiers(item: DicomItem, options: DeidOptions, out: IdentifierSet): void {
  for (const el of item.elements) {
    if (el.items) {
      for (const child of el.items) collectIdentifiers(child, options, out);
      continue;
    }
    const row = profileRowFor(el.tag);
    const vr = effectiveVr(el, row?.vr);
    if (!el.value || !STRING_VRS.has(vr) || vr === 'UI' || vr === 'CS') continue;
    const kind = row && !isPrivateTag(el.tag) ? resolveRow(row, options).kind : 'keep';
    const identifying = kind === 'remove' || kind === 'empty' || kind === 'dummy';
    if (identifying) out.add(el.value, vr);
  }
}

/** De-identifies one file in place and reports what was done. */
export function deidentifyTree(tree: DicomTree, ctx: DeidContext, extra: { pixelsCleaned?: boolean } = {}): DeidFileReport {
  const ds = tree.dataSet;
  const pid = findElement(ds, 0x00100020);
  const pname = findElement(ds, 0x00100010);
  const patientKey = `${pid ? asciiValue(pid) : ''}\\${pname ? asciiValue(pname) : ''}`;
  const identifiers = new IdentifierSet();
  collectIdentifiers(ds, ctx.options, identifiers);
  const declared = declaredPrivateSafety(ds, tree.transferSyntaxUid !== '1.2.840.10008.1.2.2');
  const engine = new Engine(ctx, identifiers, patientDateOffsetDays(ctx.secret, patientKey), declared, ds);
  engine.item(ds, 'normal');
  tree.meta = [];
  addConformanceAttributes(ds, ctx.options, extra.pixelsCleaned ?? false);
  return engine.report;
}

/** Convenience for one file: parse, de-identify, write. The caller keeps `ctx` across an export. */
export function deidentifyBytes(bytes: Uint8Array, ctx: DeidContext, readOptions: ReadTreeOptions = {}): { bytes: Uint8Array; report: DeidFileReport } {
  const tree = readTree(bytes, readOptions);
  const report = deidentifyTree(tree, ctx);
  return { bytes: writeTree(tree), report };
}
