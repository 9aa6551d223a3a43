// De-identifies a set of input files with one shared context (so UIDs map consistently across them),
// enforcing the burned-in text policy before anything is written.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { AppError, toAppError } from '../../../src-shared/errors';
import type { DicomTree } from '../../../src-shared/dicom/write/elementTree';
import { findElement, putElement } from '../../../src-shared/dicom/write/elementTree';
import { readTree } from '../../../src-shared/dicom/write/readTree';
import { asciiValue, stringElement } from '../../../src-shared/dicom/write/stringValues';
import { assessBurnedIn, createDeidContext, deidentifyTree, redactPixelData, type Rect } from '../../../src-shared/deid';
import { regionsFor } from '../../../src-shared/deid/redactionRegions';
import type { CodecRegistry } from '../../../src-shared/dicom/codecs/codecTypes';
import { createNodeCodecs } from '../codecs/nodeCodecs';
import { PROFILE_ROWS } from '../../../src-shared/deid/profileTable';
import { type DeidExportOptions, type ExportDeps, type ExportInput, inputId } from './exportTypes';

export interface DeidentifiedFile {
  source: string;
  tree: DicomTree;
  burnedInFlagged: boolean;
  redacted: boolean;
  /** What redaction did, for the export summary (e.g. "... re-encoded uncompressed (the original was lossy compressed)"). */
  redactionNote?: string;
  counts: Record<string, number>;
}

const vrByTag = new Map<number, string>(PROFILE_ROWS.filter((r) => /^[0-9A-F]{8}$/.test(r.tag) && /^[A-Z]{2}$/.test(r.vr)).map((r) => [parseInt(r.tag, 16), r.vr]));

export function parseTree(bytes: Uint8Array): DicomTree {
  // Bounded like parseDicom's inflation (1 GiB): a deflate bomb must fail, not fill memory.
  return readTree(bytes, { vrLookup: (t) => vrByTag.get(t), inflateRaw: (b) => new Uint8Array(zlib.inflateRawSync(b, { maxOutputLength: 1 << 30 })) });
}

export function readDicomFile(file: string): DicomTree {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    throw new AppError('NOT_FOUND', 'cannot read an input file', { cause: e });
  }
  return parseTree(bytes);
}

export async function readInputBytes(input: ExportInput): Promise<Uint8Array> {
  if (typeof input !== 'string') return input.read();
  try {
    return new Uint8Array(fs.readFileSync(input));
  } catch (e) {
    throw new AppError('NOT_FOUND', 'cannot read an input file', { cause: e });
  }
}

export async function readInput(input: ExportInput): Promise<DicomTree> {
  return parseTree(await readInputBytes(input));
}

export function text(tree: DicomTree, tag: number): string {
  const el = findElement(tree.dataSet, tag);
  return el ? asciiValue(el).trim() : '';
}

export interface DeidPlan {
  flagged: ReadonlySet<string>;
  /** Rectangles to blank per input: given per input, or found in the redaction regions (by SOP instance or size). */
  rects: ReadonlyMap<string, readonly Rect[]>;
  /** Original patient key (ID and name) per input, for pseudonyms; kept in memory only. */
  patientKey: ReadonlyMap<string, string>;
}

/** First pass: reads every input once, applies the burned-in policy; nothing is written yet. */
export async function planDeid(inputs: readonly ExportInput[], opts: DeidExportOptions, deps: ExportDeps): Promise<DeidPlan> {
  const flagged = new Set<string>();
  const rects = new Map<string, readonly Rect[]>();
  const patientKey = new Map<string, string>();
  const ids = new Set<string>();
  for (const input of inputs) {
    const source = inputId(input);
    if (ids.has(source)) throw new AppError('INVALID_REQUEST', 'the same input was given twice');
    ids.add(source);
    let tree: DicomTree;
    try {
      tree = await readInput(input);
    } catch (e) {
      throw toAppError(e, 'EXPORT_FAILED');
    }
    if (assessBurnedIn(tree).flagged) flagged.add(source);
    const given = opts.burnedIn?.redactions?.get(source) ?? (opts.burnedIn?.regions ? regionsFor(opts.burnedIn.regions, imageKey(tree)) : undefined);
    if (given && given.length > 0) rects.set(source, given);
    patientKey.set(source, `${text(tree, 0x00100020)}\\${text(tree, 0x00100010)}`);
  }
  const unresolved = [...flagged].filter((f) => !rects.has(f));
  if (unresolved.length > 0) {
    if (!opts.burnedIn?.override) {
      throw new AppError('DEID_BURNED_IN', `${unresolved.length} file(s) may carry burned-in text: redact them or export with an explicit override`);
    }
    await deps.checkPermission('export.burnedInOverride', deps.user);
  }
  return { flagged, rects, patientKey };
}

function u16(tree: DicomTree, tag: number): number {
  const v = findElement(tree.dataSet, tag)?.value;
  if (!v || v.length < 2) return 0;
  return new DataView(v.buffer, v.byteOffset, 2).getUint16(0, tree.transferSyntaxUid !== '1.2.840.10008.1.2.2');
}

function imageKey(tree: DicomTree) {
  return { sopInstanceUid: text(tree, 0x00080018), rows: u16(tree, 0x00280010), columns: u16(tree, 0x00280011), manufacturer: text(tree, 0x00080070), model: text(tree, 0x00081090) };
}

/** Second pass: de-identifies one file at a time (one shared context, so UIDs map consistently) for the caller to write. */
export async function* deidentifyEach(inputs: readonly ExportInput[], plan: DeidPlan, opts: DeidExportOptions, deps: ExportDeps): AsyncGenerator<DeidentifiedFile> {
  const ctx = createDeidContext(deps.secret, opts.options ?? {}, opts.safePrivate);
  let codecs: CodecRegistry | undefined;
  for (const input of inputs) {
    const source = inputId(input);
    const tree = await readInput(input);
    const rects = plan.rects.get(source);
    const outcome = rects ? await redactPixelData(tree, rects, (codecs ??= await (deps.codecs ?? createNodeCodecs)())) : undefined;
    const report = deidentifyTree(tree, ctx, { pixelsCleaned: !!outcome });
    // Our own sentence (no identifying data), added after the profile removed the original's description.
    if (outcome) putElement(tree.dataSet, stringElement(0x00082111, 'ST', outcome.note));
    yield { source, tree, burnedInFlagged: plan.flagged.has(source), redacted: !!outcome, ...(outcome ? { redactionNote: outcome.note } : {}), counts: { ...report } };
  }
}
