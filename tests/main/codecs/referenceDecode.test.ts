// Done-when of issue 3: every corpus file that dcmtk or GDCM can decode, Enclave decodes to the
// same stored values (lossless: bit-identical; lossy: within a stated per-codec tolerance).
// References are made at test time with the real tools, concurrently, into a per-run temp dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodecRegistry } from '../../../src-shared/dicom/codecs/codecTypes';
import { isAppError } from '../../../src-shared/errors';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';
import type { DicomFile } from '../../../src-shared/dicom/parse';
import { CORPUS, assertToolsPresent, compareWithOjphExpand, compareWithReference, corpusIndex, dcmtkCanRender, isHtj2k, loadDicom, makeReference, pool } from './referenceHarness';

/**
 * Max |difference| allowed per lossy syntax, decoder vs reference tool. Measured on the corpus
 * (2026-11): 0 for every lossy file except HTJ2K lossy (1, in 8 of 921600 samples); the allowance
 * covers IDCT/wavelet rounding differences between library builds.
 */
const LOSSY_TOLERANCE: Record<string, number> = {
  '1.2.840.10008.1.2.4.50': 2, // libjpeg-turbo vs dcmtk's IJG 6b (both islow IDCT): measured 0
  '1.2.840.10008.1.2.4.51': 2, // 12-bit: our IJG islow port vs dcmtk's IJG 12-bit; 8-bit: libjpeg-turbo. Measured 0
  '1.2.840.10008.1.2.4.81': 0, // JPEG-LS near-lossless decoding is exact by design (CharLS vs dcmtk's CharLS)
  '1.2.840.10008.1.2.4.91': 2, // OpenJPEG (WASM) vs GDCM's OpenJPEG, 9/7 float wavelet: measured 0
  '1.2.840.10008.1.2.4.203': 2, // OpenJPH (WASM) vs OpenJPH's native ojph_expand: measured 1
};

/**
 * Reference from a sibling file holding the same pixels in another syntax: no tool here decodes the
 * file itself (GDCM 3.0 / dcmtk 3.6.7 lack 1-bit RLE, Deflated Image Frame), or the tool is wrong:
 * dcmconv swaps big-endian 32-bit OW pixel data word-wise, which disagrees with the little-endian
 * sibling written from the same dose grid (and with pydicom).
 */
const SIBLINGS: Record<string, string> = {
  'pydicom-data/liver_deflate.dcm': 'pydicom-data/liver.dcm',
  'pydicom-data/liver_rle.dcm': 'pydicom-data/liver.dcm',
  'pydicom-data/liver_nonbyte_aligned_deflate.dcm': 'pydicom-data/liver_nonbyte_aligned.dcm',
  'pydicom-data/liver_nonbyte_aligned_rle.dcm': 'pydicom-data/liver_nonbyte_aligned.dcm',
  'debian-python3-pydicom/test_files/rtdose_expb.dcm': 'debian-python3-pydicom/test_files/rtdose.dcm',
  'debian-python3-pydicom/test_files/rtdose_expb_1frame.dcm': 'debian-python3-pydicom/test_files/rtdose_1frame.dcm',
  'pydicom-data/emri_small_jpeg_2k_lossless_too_short.dcm': 'pydicom-data/emri_small_jpeg_2k_lossless.dcm',
};

/** Frames we refuse on purpose, with why (the policy is to refuse, not to guess). */
const EXPECTED_REFUSALS: Record<string, { code: string; why: string }> = {
  'fo-dicom/multiframe.dcm': { code: 'DICOM_PIXEL_MISMATCH', why: 'every 14th frame is a JPEG whose SOF says 55 columns, DICOM says 240' },
};

type Result = 'identical' | 'within tolerance' | 'DIFFERENT' | 'no reference' | 'our error' | 'both refuse' | 'no pixel data';

interface Row {
  path: string;
  ts: string;
  tool: string;
  result: Result;
  maxDiff: number | '';
  frames: number | '';
  ms: number | '';
  note: string;
}

let codecs: CodecRegistry;
let dir: string;
const rows: Row[] = [];

beforeAll(async () => {
  codecs = await createNodeCodecs();
  dir = mkdtempSync(join(tmpdir(), 'enclave-ref-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function printTable(): void {
  const head = ['file', 'syntax', 'tool', 'result', 'maxdiff', 'frames', 'ms/frame', 'note'];
  const lines = rows.map((r) => [r.path, r.ts.replace('1.2.840.10008.', ''), r.tool, r.result, String(r.maxDiff), String(r.frames), r.ms === '' ? '' : r.ms.toFixed(1), r.note]);
  const widths = head.map((h, i) => Math.min(70, Math.max(h.length, ...lines.map((l) => l[i]!.length))));
  const fmt = (l: string[]): string => l.map((c, i) => (i === l.length - 1 ? c : c.slice(0, widths[i]!).padEnd(widths[i]!))).join('  ');
  console.log(['', fmt(head), ...lines.map(fmt)].join('\n'));
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.result] = (counts[r.result] ?? 0) + 1;
  console.log('summary:', JSON.stringify(counts));
  const perTs: Record<string, { ms: number; n: number }> = {};
  for (const r of rows) {
    if (r.ms === '' || r.frames === '') continue;
    const t = (perTs[r.ts] ??= { ms: 0, n: 0 });
    t.ms += r.ms * r.frames;
    t.n += r.frames;
  }
  console.log('decode ms/frame by syntax (mean over corpus frames):', Object.entries(perTs).map(([ts, v]) => `${ts.replace('1.2.840.10008.', '')}=${(v.ms / v.n).toFixed(2)} (${v.n})`).join(' '));
}

describe('decoded stored values vs dcmtk / GDCM', () => {
  it('reference tools are installed', async () => {
    expect(await assertToolsPresent()).toEqual([]);
  });

  it('every corpus image decodes as the reference tools do', async () => {
    // ENCLAVE_REF_FILTER narrows the run to paths or syntax names containing it (for development).
    const only = process.env.ENCLAVE_REF_FILTER ?? '';
    const files = corpusIndex().filter((r) => r.rows !== '' && (!only || r.path.includes(only) || r.ts.includes(only)));
    await pool(files, 2, async (entry) => {
      const input = join(CORPUS, entry.path);
      const key = entry.path.replace(/[^A-Za-z0-9]+/g, '_');
      const push = (r: Omit<Row, 'path'>): void => void rows.push({ path: entry.path, ...r });
      const refusal = async (ts: string, what: string, tool = '', why = ''): Promise<void> => {
        const dcmtk = await dcmtkCanRender(input, dir, key);
        push({ ts, tool, result: dcmtk ? 'our error' : 'both refuse', maxDiff: '', frames: '', ms: '', note: `${what}${dcmtk ? ' (dcm2pnm renders it)' : '; dcm2pnm refuses too'}${why ? `; ${why}` : ''}` });
      };
      let ours: DicomFile;
      try {
        ours = loadDicom(input);
      } catch (e) {
        await refusal(entry.ts, isAppError(e) ? `ours: ${e.code} (parse)` : 'ours: untyped parse error');
        return;
      }
      const ts = ours.transferSyntaxUid;
      const el = ours.dataSet.elements;
      if (!el.x7fe00010 && !el.x7fe00008 && !el.x7fe00009) {
        const dcmtk = await dcmtkCanRender(input, dir, key);
        push({ ts, tool: '', result: dcmtk ? 'our error' : 'no pixel data', maxDiff: '', frames: '', ms: '', note: dcmtk ? 'dcm2pnm renders it' : '' });
        return;
      }
      if (isHtj2k(ts)) {
        const h = await compareWithOjphExpand(ours, codecs, dir, key);
        if ('why' in h) push({ ts, tool: 'ojph_expand', result: 'no reference', maxDiff: '', frames: '', ms: '', note: h.why });
        else {
          const tol = LOSSY_TOLERANCE[ts] ?? 0;
          const result: Result = h.maxAbsDiff === 0 ? 'identical' : h.maxAbsDiff <= tol ? 'within tolerance' : 'DIFFERENT';
          push({ ts, tool: 'ojph_expand', result, maxDiff: h.maxAbsDiff, frames: h.frames, ms: h.msPerFrame, note: h.differing ? `${h.differing}/${h.samples} samples differ` : '' });
        }
        return;
      }
      const sibling = SIBLINGS[entry.path];
      const refInput = sibling ? join(CORPUS, sibling) : input;
      const refTs = sibling ? loadDicom(refInput).transferSyntaxUid : ts;
      const ref = await makeReference(refInput, refTs, dir, key);
      if (!ref.tool) {
        let code: string;
        try {
          const self = await compareWithReference(ours, ours, codecs, 1);
          code = self.refused[0]?.code ?? '';
        } catch (e) {
          code = isAppError(e) ? e.code : 'untyped';
        }
        if (code) await refusal(ts, `ours: ${code}`, '', ref.why);
        else push({ ts, tool: '', result: 'no reference', maxDiff: '', frames: '', ms: '', note: ref.why });
        return;
      }
      const toolName = sibling ? `${ref.tool} (sibling)` : ref.tool;
      let diff;
      try {
        diff = await compareWithReference(ours, loadDicom(ref.path), codecs);
      } catch (e) {
        await refusal(ts, isAppError(e) ? `ours: ${e.code}: ${e.message.slice(0, 70)}` : `untyped: ${(e as Error).message}`, toolName);
        return;
      }
      const expected = EXPECTED_REFUSALS[entry.path];
      const unexpected = diff.refused.filter((r) => r.code !== expected?.code);
      const tol = LOSSY_TOLERANCE[ts];
      let result: Result = diff.maxAbsDiff === 0 ? 'identical' : tol !== undefined && diff.maxAbsDiff <= tol ? 'within tolerance' : 'DIFFERENT';
      if (unexpected.length) result = (await dcmtkCanRender(input, dir, key)) ? 'our error' : 'both refuse';
      const notes: string[] = [];
      if (diff.differing) notes.push(`${diff.differing}/${diff.samples} samples differ`);
      if (diff.refused.length) notes.push(`${diff.refused.length} frame(s) refused with ${diff.refused[0]!.code}${expected ? ` (expected: ${expected.why})` : ''}`);
      push({ ts, tool: toolName, result, maxDiff: diff.maxAbsDiff, frames: diff.frames, ms: diff.msPerFrame, note: notes.join('; ') });
    });
    rows.sort((a, b) => a.ts.localeCompare(b.ts) || a.path.localeCompare(b.path));
    printTable();
    const bad = rows.filter((r) => r.result === 'DIFFERENT' || r.result === 'our error');
    expect(bad.map((r) => `${r.path}: ${r.result} ${r.note}`)).toEqual([]);
  }, 600_000);
});
