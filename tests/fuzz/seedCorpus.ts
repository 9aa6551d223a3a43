// The fuzzer's seeds: corpus and phantom files read in place, plus where their elements, items,
// fragments and offset tables sit, so mutations can aim at lengths and offsets rather than only
// at random bytes. Sites come from parsing the pristine seeds (which parse), never mutated ones.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DataSet, Element } from 'dicom-parser';
import { parseDicom, TS_EXPLICIT_BE, TS_IMPLICIT_LE } from '../../src-shared/dicom/parse';

export type SiteKind = 'element' | 'item' | 'fragment' | 'bot';

export interface Site {
  kind: SiteKind;
  /** "x00280010"; items and fragments "xfffee000". */
  tag: string;
  vr: string;
  headerPos: number;
  lengthPos: number;
  lengthSize: 2 | 4;
  little: boolean;
  dataPos: number;
  length: number;
  depth: number;
}

export interface Seed {
  /** Path relative to the data root (for reports; never file contents). */
  name: string;
  bytes: Uint8Array;
  explicit: boolean;
  little: boolean;
  /** Offsets in `bytes` where top-level data set elements start (insertion points). */
  boundaries: number[];
  sites: Site[];
  /** Start of the top-level pixel data element's header, or -1. */
  pixelDataPos: number;
}

export interface SeedCorpus {
  seeds: Seed[];
  /** Files of one small series, for iterations that assemble a volume from several instances. */
  series: Seed[];
}

const NOT_DICOM = /\.(tsv|md|txt|png|json|zip|gz|nii|jpg|jpeg|raw|py|sh|dic|xml|csv|bmp|gif|tif|tiff)$/i;
const VR_RE = /^[A-Z]{2}$/;
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

function walkFiles(dir: string, out: string[]): void {
  for (const n of readdirSync(dir).sort()) {
    const p = path.join(dir, n);
    const st = statSync(p);
    if (st.isDirectory()) walkFiles(p, out);
    else if (st.isFile() && !NOT_DICOM.test(n)) out.push(p);
  }
}

function vrAt(b: Uint8Array, p: number): string {
  if (p < 0 || p + 2 > b.length) return '';
  const s = String.fromCharCode(b[p]!, b[p + 1]!);
  return VR_RE.test(s) ? s : '';
}

/** Where the header of an element with value at dataOffset starts, and its length field. */
function headerOf(b: Uint8Array, el: Element, explicit: boolean): Pick<Site, 'headerPos' | 'lengthPos' | 'lengthSize'> {
  const d = el.dataOffset;
  if (explicit || el.tag.startsWith('x0002')) {
    if (LONG_VRS.has(vrAt(b, d - 8)) && d >= 12) return { headerPos: d - 12, lengthPos: d - 4, lengthSize: 4 };
    if (vrAt(b, d - 4) !== '') return { headerPos: d - 8, lengthPos: d - 2, lengthSize: 2 };
  }
  return { headerPos: d - 8, lengthPos: d - 4, lengthSize: 4 };
}

function collectSites(b: Uint8Array, ds: DataSet, explicit: boolean, little: boolean, depth: number, sites: Site[], boundaries: number[] | null): void {
  for (const el of Object.values(ds.elements)) {
    if (el.dataOffset === undefined || el.dataOffset > b.length) continue;
    const lt = little || el.tag.startsWith('x0002');
    const h = headerOf(b, el, explicit);
    if (h.headerPos < 0) continue;
    if (boundaries) boundaries.push(h.headerPos);
    sites.push({ kind: 'element', tag: el.tag, vr: el.vr ?? '', ...h, little: lt, dataPos: el.dataOffset, length: el.length, depth });
    for (const it of el.items ?? []) {
      sites.push({
        kind: 'item', tag: 'xfffee000', vr: '', headerPos: it.dataOffset - 8, lengthPos: it.dataOffset - 4, lengthSize: 4,
        little: lt, dataPos: it.dataOffset, length: it.length, depth: depth + 1,
      });
      if (it.dataSet) collectSites(b, it.dataSet, explicit, lt, depth + 1, sites, null);
    }
    if (el.encapsulatedPixelData) {
      const n = el.basicOffsetTable?.length ?? 0;
      sites.push({
        kind: 'bot', tag: 'xfffee000', vr: '', headerPos: el.dataOffset, lengthPos: el.dataOffset + 4, lengthSize: 4,
        little: lt, dataPos: el.dataOffset + 8, length: n * 4, depth: depth + 1,
      });
      for (const f of el.fragments ?? []) {
        sites.push({
          kind: 'fragment', tag: 'xfffee000', vr: '', headerPos: f.position - 8, lengthPos: f.position - 4, lengthSize: 4,
          little: lt, dataPos: f.position, length: f.length, depth: depth + 1,
        });
      }
    }
  }
}

export function makeSeed(name: string, bytes: Uint8Array): Seed {
  const seed: Seed = { name, bytes, explicit: true, little: true, boundaries: [], sites: [], pixelDataPos: -1 };
  try {
    const f = parseDicom(bytes);
    seed.explicit = f.transferSyntaxUid !== TS_IMPLICIT_LE;
    seed.little = f.transferSyntaxUid !== TS_EXPLICIT_BE;
    // Deflated files: offsets index the inflated bytes, which are not the file's; keep meta sites only.
    const sameBytes = f.dataSet.byteArray === bytes;
    const sites: Site[] = [];
    const boundaries: number[] = [];
    collectSites(bytes, f.dataSet, seed.explicit, seed.little, 0, sites, boundaries);
    seed.sites = sameBytes ? sites : sites.filter((s) => s.tag.startsWith('x0002'));
    seed.boundaries = (sameBytes ? boundaries : []).sort((a, b) => a - b);
    const px = seed.sites.find((s) => s.kind === 'element' && s.depth === 0 && s.tag === 'x7fe00010');
    seed.pixelDataPos = px ? px.headerPos : -1;
  } catch {
    // A seed the parser rejects is still a useful seed for byte-level mutations.
  }
  return seed;
}

export interface SeedOptions {
  /** The shared data folder (holds corpus/ and phantoms/). */
  dataRoot: string;
  /** Largest seed file in bytes (default 512 KiB): big files cost time per iteration without adding paths. */
  maxSeedBytes?: number;
}

/** Loads every seed in a fixed order (sorted paths), so iteration i means the same thing everywhere. */
export function loadSeedCorpus(opts: SeedOptions): SeedCorpus {
  const max = opts.maxSeedBytes ?? 512 * 1024;
  const files: string[] = [];
  walkFiles(path.join(opts.dataRoot, 'corpus'), files);
  const phantoms = path.join(opts.dataRoot, 'phantoms');
  const phantomPick = (dir: string, n: number) =>
    readdirSync(path.join(phantoms, dir)).sort().slice(0, n).map((f) => path.join(phantoms, dir, f));
  files.push(...phantomPick('ct-axial', 2), ...phantomPick('ct-oblique', 2), ...phantomPick('mr-sagittal', 2));
  files.push(path.join(phantoms, 'deid', 'phi-everywhere.dcm'));
  const seeds: Seed[] = [];
  for (const f of files) {
    if (statSync(f).size > max || statSync(f).size === 0) continue;
    seeds.push(makeSeed(path.relative(opts.dataRoot, f), new Uint8Array(readFileSync(f))));
  }
  // Four adjacent-in-name (random in position) slices: geometry sees gaps, so resampling runs too.
  const series = phantomPick('ct-axial', 4).map((f) => makeSeed(path.relative(opts.dataRoot, f), new Uint8Array(readFileSync(f))));
  return { seeds, series };
}
