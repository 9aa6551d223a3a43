// DICOMDIR (PS3.10 media directory) reading for import: which files the media says it holds, which of
// them are missing, and vendor layouts where a record points at a further directory file (Philips/Elscint
// DIRFILEs whose file IDs are relative to the media root). The hierarchy is not needed here: each file
// carries its own patient/study/series identity; what matters is the complete list of referenced files.
// File IDs are resolved only through real directory listings (never by joining untrusted text into a
// path), so a hostile DICOMDIR cannot point outside the media it came from.
import type { DataSet } from 'dicom-parser';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { getString, getStrings } from '../../../src-shared/dicom/elements';
import { parseDicom } from '../../../src-shared/dicom/parse';

export const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';
const DIRECTORY_RECORD_SEQUENCE = 'x00041220';
const RECORD_IN_USE = 'x00041410';
const RECORD_TYPE = 'x00041430';
const REFERENCED_FILE_ID = 'x00041500';
const REFERENCED_SOP_CLASS_IN_FILE = 'x00041510';
const MAX_NESTING = 4;
const MAX_DICOMDIR_BYTES = 256 * 1024 * 1024;

export interface DicomdirRecord {
  type: string;
  /** The ReferencedFileID components, as written (may be empty). */
  fileId: string[];
  sopClassInFile: string;
}

export interface MediaFile {
  path: string;
  /** The file ID as the DICOMDIR wrote it, for reports ("DICOM\ST000001\SE000001\IM000001"). */
  fileId: string;
}

export interface DicomdirScan {
  dicomdir: string;
  /** All in-use records, nested directory files included. */
  records: number;
  recordsByType: Record<string, number>;
  files: MediaFile[];
  missing: MediaFile[];
  nestedDirectories: number;
  /** Files found only by tolerating a naming fault (missing extension, ISO 9660 version suffix, case). */
  resolvedLeniently: number;
  /** Set when the DICOMDIR cannot be used at all: the importer scans the folder instead. */
  broken: string | null;
}

/** True for a data set that is a media directory (has the directory record sequence). */
export function isDicomdirDataSet(ds: DataSet): boolean {
  return DIRECTORY_RECORD_SEQUENCE in ds.elements;
}

/** The in-use directory records of a parsed DICOMDIR. */
export function readDicomdirRecords(bytes: Uint8Array): DicomdirRecord[] {
  const file = parseDicom(bytes);
  const seq = file.dataSet.elements[DIRECTORY_RECORD_SEQUENCE];
  const out: DicomdirRecord[] = [];
  for (const item of seq?.items ?? []) {
    const ds = item.dataSet as DataSet | undefined;
    if (!ds) continue;
    // RecordInUseFlag 0000H marks a deleted record; absent means in use.
    const inUse = ds.elements[RECORD_IN_USE];
    if (inUse && inUse.length >= 2 && ds.uint16(RECORD_IN_USE) === 0) continue;
    out.push({
      type: getString(ds, RECORD_TYPE).toUpperCase() || 'UNKNOWN',
      fileId: getStrings(ds, REFERENCED_FILE_ID).filter((c) => c.length > 0),
      sopClassInFile: getString(ds, REFERENCED_SOP_CLASS_IN_FILE),
    });
  }
  return out;
}

/** Case-insensitive, ISO 9660-tolerant lookup of one name in a directory, through its listing only. */
class DirIndex {
  private readonly cache = new Map<string, Promise<Map<string, { name: string; dir: boolean }[]>>>();

  private list(dir: string): Promise<Map<string, { name: string; dir: boolean }[]>> {
    let p = this.cache.get(dir);
    if (!p) {
      p = fsp.readdir(dir, { withFileTypes: true }).then(
        (entries) => {
          const m = new Map<string, { name: string; dir: boolean }[]>();
          for (const e of entries) {
            const key = e.name.toUpperCase();
            const arr = m.get(key) ?? [];
            arr.push({ name: e.name, dir: e.isDirectory() });
            m.set(key, arr);
          }
          return m;
        },
        () => new Map(),
      );
      this.cache.set(dir, p);
    }
    return p;
  }

  async find(dir: string, component: string, wantDir: boolean, lenientExt: boolean): Promise<string | null> {
    const m = await this.list(dir);
    // ISO 9660 level 1 names may carry a version (";1") and a bare trailing dot.
    const bare = component.replace(/;\d+$/, '').replace(/\.$/, '');
    const keys = [component.toUpperCase(), bare.toUpperCase()];
    if (lenientExt && !wantDir) keys.push(`${bare.toUpperCase()}.DCM`, `${bare.toUpperCase()}.DICOM`, `${bare.toUpperCase()}.`, `${bare.toUpperCase()};1`);
    for (const k of keys) {
      const hits = m.get(k)?.filter((h) => h.dir === wantDir) ?? [];
      if (hits.length === 0) continue;
      const exact = hits.find((h) => h.name === component) ?? hits[0]!;
      return path.join(dir, exact.name);
    }
    return null;
  }

  lenientHits = 0;

  async resolve(base: string, components: string[]): Promise<string | null> {
    let dir = base;
    for (let i = 0; i < components.length - 1; i++) {
      const next = await this.find(dir, components[i]!, true, false);
      if (!next) return null;
      dir = next;
    }
    const last = components[components.length - 1]!;
    const strict = await this.find(dir, last, false, false);
    if (strict) return strict;
    const lenient = await this.find(dir, last, false, true);
    if (lenient) this.lenientHits++;
    return lenient;
  }
}

function isSafeComponent(c: string): boolean {
  return c !== '.' && c !== '..' && !/[/\\\0]/.test(c);
}

/**
 * Lists the files a DICOMDIR references, following nested directory files, and those that are missing.
 * File IDs are looked up from the directory file's own folder up to the media root (the top DICOMDIR's
 * folder), which covers both the standard layout and vendor DIRFILEs relative to the root.
 */
export async function scanDicomdir(dicomdirPath: string): Promise<DicomdirScan> {
  const mediaRoot = path.dirname(dicomdirPath);
  const index = new DirIndex();
  const scan: DicomdirScan = { dicomdir: dicomdirPath, records: 0, recordsByType: {}, files: [], missing: [], nestedDirectories: 0, resolvedLeniently: 0, broken: null };
  const seenFiles = new Set<string>();
  const visitedDirs = new Set<string>();

  const visit = async (dirFile: string, depth: number): Promise<string | null> => {
    const real = await fsp.realpath(dirFile).catch(() => dirFile);
    if (visitedDirs.has(real)) return null;
    visitedDirs.add(real);
    let records: DicomdirRecord[];
    try {
      const st = await fsp.stat(dirFile);
      if (st.size > MAX_DICOMDIR_BYTES) return 'directory file too large';
      records = readDicomdirRecords(new Uint8Array(await fsp.readFile(dirFile)));
    } catch {
      return 'directory file unreadable';
    }
    // Bases from the directory file's folder up to the media root, nearest first.
    const bases: string[] = [];
    for (let d = path.dirname(dirFile); ; d = path.dirname(d)) {
      bases.push(d);
      if (d === mediaRoot || path.relative(mediaRoot, d).startsWith('..') || path.dirname(d) === d) break;
    }
    for (const r of records) {
      scan.records++;
      scan.recordsByType[r.type] = (scan.recordsByType[r.type] ?? 0) + 1;
      if (r.fileId.length === 0) continue;
      const fileId = r.fileId.join('\\');
      if (!r.fileId.every(isSafeComponent)) {
        scan.missing.push({ path: '', fileId });
        continue;
      }
      let found: string | null = null;
      for (const b of bases) {
        found = await index.resolve(b, r.fileId);
        if (found) break;
      }
      if (!found) {
        scan.missing.push({ path: path.join(mediaRoot, ...r.fileId), fileId });
        continue;
      }
      if (seenFiles.has(found)) continue;
      seenFiles.add(found);
      const nested = r.sopClassInFile === MEDIA_STORAGE_DIRECTORY || (depth < MAX_NESTING && (await isDirectoryFile(found)));
      if (nested && depth < MAX_NESTING) {
        const problem = await visit(found, depth + 1);
        if (problem === null) scan.nestedDirectories++;
        else scan.missing.push({ path: found, fileId });
        continue;
      }
      scan.files.push({ path: found, fileId });
    }
    return null;
  };

  scan.broken = await visit(dicomdirPath, 0);
  scan.resolvedLeniently = index.lenientHits;
  if (scan.broken === null && scan.files.length === 0 && scan.missing.length > 0) scan.broken = 'none of the referenced files exist';
  return scan;
}

/** A cheap look at a referenced file: is it another directory file rather than an image? */
export async function isDirectoryFile(file: string): Promise<boolean> {
  let fh: fsp.FileHandle | null = null;
  try {
    fh = await fsp.open(file, 'r');
    const head = Buffer.alloc(1024);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    // The Media Storage SOP Class UID sits in the file meta, within the first few hundred bytes.
    const text = head.subarray(0, bytesRead).toString('latin1');
    for (let i = text.indexOf(MEDIA_STORAGE_DIRECTORY); i >= 0; i = text.indexOf(MEDIA_STORAGE_DIRECTORY, i + 1)) {
      if (!/[0-9.]/.test(text.charAt(i + MEDIA_STORAGE_DIRECTORY.length))) return true;
    }
    return /^(DIRFILE|DICOMDIR)/i.test(path.basename(file));
  } catch {
    return false;
  } finally {
    await fh?.close();
  }
}
