// Every file of the corpus either parses (and yields instance metadata and a dump) or fails with an
// AppError; none throws anything else. Files dcmdump reads (INDEX.tsv rc == 0) must parse, and the
// header values dcmdump saw must be the ones we read.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDicom, type DicomFile } from '../../../src-shared/dicom/parse';
import { readInstanceMeta } from '../../../src-shared/dicom/instanceMeta';
import { dumpDataset } from '../../../src-shared/dicom/dump';
import { getString } from '../../../src-shared/dicom/elements';
import { isAppError } from '../../../src-shared/errors';
import type { InstanceMeta } from '../../../src-shared/dicom/types';
import { filesUnder } from '../../../src-main/services/filesUnder';

const CORPUS = path.resolve(__dirname, '../../../../shared/data/corpus');
// Containers and formats that cannot hold a bare DICOM stream; everything else is tried.
const NOT_DICOM = /\.(tsv|md|txt|png|json|zip|gz|nii|jpg|jpeg|raw)$/i;

function corpusFiles(): string[] {
  return filesUnder(CORPUS, (n) => !NOT_DICOM.test(n));
}

type Row = Record<string, string>;
function indexRows(): Map<string, Row> {
  const lines = readFileSync(path.join(CORPUS, 'INDEX.tsv'), 'utf8').trim().split('\n');
  const head = (lines.shift() ?? '').split('\t');
  const rows = new Map<string, Row>();
  for (const l of lines) {
    const c = l.split('\t');
    const row: Row = {};
    head.forEach((h, i) => (row[h] = c[i] ?? ''));
    rows.set(row.path as string, row);
  }
  return rows;
}

/** dcmdump's transfer syntax names -> UIDs (those that occur in INDEX.tsv). */
const TS_NAMES: Record<string, string> = {
  LittleEndianImplicit: '1.2.840.10008.1.2',
  LittleEndianExplicit: '1.2.840.10008.1.2.1',
  BigEndianExplicit: '1.2.840.10008.1.2.2',
  DeflatedLittleEndianExplicit: '1.2.840.10008.1.2.1.99',
  JPEGBaseline: '1.2.840.10008.1.2.4.50',
  'JPEGExtended:Process2+4': '1.2.840.10008.1.2.4.51',
  'JPEGLossless:Non-hierarchical:Process14': '1.2.840.10008.1.2.4.57',
  'JPEGLossless:Non-hierarchical-1stOrderPrediction': '1.2.840.10008.1.2.4.70',
  JPEGLSLossless: '1.2.840.10008.1.2.4.80',
  JPEGLSLossy: '1.2.840.10008.1.2.4.81',
  JPEG2000LosslessOnly: '1.2.840.10008.1.2.4.90',
  JPEG2000: '1.2.840.10008.1.2.4.91',
  RLELossless: '1.2.840.10008.1.2.5',
};

const HEX = /^[0-9a-f]{2}(\\[0-9a-f]{2})+$/;

/** Files dcmdump reads but we do not, each with the reason. None today. */
const EXPECTED_FAILURES: Record<string, string> = {};

function compareWithDcmdump(rel: string, row: Row, f: DicomFile, m: InstanceMeta): string[] {
  const diffs: string[] = [];
  const eq = (what: string, ours: string | number, raw: string) => {
    if (raw === '' || raw === '(no value available)') return;
    // dcmdump prints values of UN elements as hex bytes, keeps trailing padding, and drops spaces inside UIs.
    const text = typeof ours === 'string';
    let theirs = text && HEX.test(raw) ? String.fromCharCode(...raw.split('\\').map((h) => parseInt(h, 16))) : raw;
    theirs = theirs.replace(/[\0 ]+$/, '');
    let o = String(ours);
    if (what === 'SeriesUID') o = o.replace(/ /g, '');
    if (o !== theirs) diffs.push(`${rel}: ${what} ours=${o} dcmdump=${theirs}`);
  };
  const ts = row.TS as string;
  if (ts === '(no meta)') {
    if (f.hasFileMeta) diffs.push(`${rel}: dcmdump sees no meta, we do`);
  } else if (ts) eq('TS', f.transferSyntaxUid, TS_NAMES[ts] ?? ts);
  eq('Modality', m.modality, row.Modality as string);
  eq('Rows', m.rows, row.Rows as string);
  eq('Cols', m.columns, row.Cols as string);
  // badVR.dcm has NumberOfFrames "1A": not an IS, so we fall back to 1 frame.
  if (rel !== 'debian-python3-pydicom/test_files/badVR.dcm') eq('Frames', m.numberOfFrames, row.Frames as string);
  eq('Photometric', m.photometricInterpretation, row.Photometric as string);
  eq('BitsAlloc', m.bitsAllocated, row.BitsAlloc as string);
  eq('BitsStored', m.bitsStored, row.BitsStored as string);
  eq('PixRep', m.pixelRepresentation, row.PixRep as string);
  eq('SPP', m.samplesPerPixel, row.SPP as string);
  eq('SeriesUID', m.seriesInstanceUid, row.SeriesUID as string);
  const cs = row.Charset as string;
  // dcmdump prints a CS written with a binary VR in hex; compare decoded text only.
  if (cs) eq('Charset', getString(f.dataSet, 'x00080005'), cs);
  const ipp = row.IPP as string;
  if (ipp && HEX.test(ipp)) {
    // printed as bytes; the decoded comparison above covers UN handling
  } else if (ipp && m.imagePositionPatient) {
    const theirs = ipp.split('\\').map(Number);
    if (theirs.some((v, i) => Math.abs(v - (m.imagePositionPatient?.[i] ?? NaN)) > 1e-4)) diffs.push(`${rel}: IPP differs`);
  } else if (ipp && theirs3(ipp)) diffs.push(`${rel}: IPP missing`);
  return diffs;
}

function theirs3(s: string): boolean {
  return s.split('\\').length === 3 && s.split('\\').every((v) => Number.isFinite(Number(v)));
}

describe('corpus walk', () => {
  it('parses every file or fails with an AppError, and agrees with dcmdump', () => {
    const files = corpusFiles();
    const index = indexRows();
    const counts: Record<string, number> = {};
    const untyped: string[] = [];
    const mustParse: string[] = [];
    const diffs: string[] = [];
    let dumped = 0;
    for (const file of files) {
      const rel = path.relative(CORPUS, file).split(path.sep).join('/');
      const bytes = new Uint8Array(readFileSync(file));
      const row = index.get(rel);
      for (const untilPixelData of [true, false]) {
        let outcome: string;
        try {
          const f = parseDicom(bytes, { untilPixelData });
          const meta = readInstanceMeta(f);
          if (!untilPixelData) {
            dumped += dumpDataset(f).length;
            if (row && row.rc === '0') diffs.push(...compareWithDcmdump(rel, row, f, meta));
          }
          outcome = f.truncated ? 'parsed (truncated)' : 'parsed';
        } catch (e) {
          if (!isAppError(e)) {
            untyped.push(`${rel}: ${String(e)}`);
            outcome = 'UNTYPED';
          } else outcome = e.code;
          if (!untilPixelData && row?.rc === '0' && !EXPECTED_FAILURES[rel]) mustParse.push(`${rel}: ${outcome}`);
        }
        if (!untilPixelData) counts[outcome] = (counts[outcome] ?? 0) + 1;
      }
    }
    console.log(`corpus walk: ${files.length} files tried: ${JSON.stringify(counts)}; ${dumped} top-level dump nodes`);
    expect(files.length).toBeGreaterThan(600);
    expect(untyped).toEqual([]);
    expect(mustParse).toEqual([]);
    expect(diffs).toEqual([]);
  });
});
