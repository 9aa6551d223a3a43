// Builds reference decodings of corpus files with dcmtk / GDCM at test time and compares Enclave's
// decoded stored values with them. Shared by the reference test and the benchmark.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDicom, type DicomFile } from '../../../src-shared/dicom/parse';
import type { CodecRegistry } from '../../../src-shared/dicom/codecs/codecTypes';
import { decodeFrame } from '../../../src-shared/dicom/pixels/decodeFrame';
import { encapsulatedFrame } from '../../../src-shared/dicom/pixels/encapsulatedFrames';
import { readPixelDescription } from '../../../src-shared/dicom/pixels/pixelDescription';
import type { DecodedFrame } from '../../../src-shared/dicom/types';
import { isAppError } from '../../../src-shared/errors';

export const DATA = join(__dirname, '../../../../shared/data');
export const CORPUS = join(DATA, 'corpus');

export interface IndexRow {
  path: string;
  ts: string;
  rows: string;
}

export function corpusIndex(): IndexRow[] {
  const text = readFileSync(join(CORPUS, 'INDEX.tsv'), 'utf8');
  return text.trim().split('\n').slice(1).map((l) => {
    const c = l.split('\t');
    return { path: c[0] ?? '', ts: c[2] ?? '', rows: c[5] ?? '' };
  });
}

/** The transfer syntax UID as the file itself states it (INDEX.tsv has dcmdump's names). */
export function fileSyntax(file: DicomFile): string {
  return file.transferSyntaxUid;
}

export type Tool = 'dcmdjpeg' | 'dcmdjpls' | 'dcmdrle' | 'dcmconv' | 'gdcmconv';

/** Which tools can make an uncompressed reference for a transfer syntax, best first. */
export function toolsFor(ts: string): Tool[] {
  if (ts === '1.2.840.10008.1.2.5') return ['dcmdrle', 'gdcmconv'];
  if (['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70'].includes(ts)) return ['dcmdjpeg', 'gdcmconv'];
  if (ts === '1.2.840.10008.1.2.4.80' || ts === '1.2.840.10008.1.2.4.81') return ['dcmdjpls', 'gdcmconv'];
  if (ts.startsWith('1.2.840.10008.1.2.4.9') || ts.startsWith('1.2.840.10008.1.2.4.20')) return ['gdcmconv'];
  if (['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2'].includes(ts)) return ['dcmconv', 'gdcmconv'];
  return ['gdcmconv'];
}

function toolArgs(tool: Tool, input: string, output: string): string[] {
  switch (tool) {
    // Lossy JPEG: convert to RGB when the library sees YCbCr (what libjpeg-turbo does); lossless: never.
    case 'dcmdjpeg': return ['+cgl', input, output];
    case 'dcmdjpls': return [input, output];
    case 'dcmdrle': return [input, output];
    case 'dcmconv': return ['+te', input, output];
    case 'gdcmconv': return ['--raw', input, output];
  }
}

export function run(cmd: string, args: string[], timeoutMs = 60_000): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, _stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stderr: String(stderr) });
    });
  });
}

/** Fails loudly when a reference tool is missing: the test must not pass by skipping. */
export async function assertToolsPresent(): Promise<string[]> {
  const missing: string[] = [];
  for (const t of ['dcmdjpeg', 'dcmdjpls', 'dcmdrle', 'dcmconv', 'dcm2pnm', 'gdcmconv', 'ojph_expand']) {
    const r = await run('sh', ['-c', `command -v ${t}`]);
    if (r.code !== 0) missing.push(t);
  }
  return missing;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Makes an uncompressed reference with the first tool that succeeds; null when none can. */
export async function makeReference(input: string, ts: string, outDir: string, key: string): Promise<{ tool: Tool; path: string } | { tool: null; why: string }> {
  const why: string[] = [];
  for (const tool of toolsFor(ts)) {
    const output = join(outDir, `${key}.${tool}.dcm`);
    const r = await run(tool, toolArgs(tool, input, output));
    if (r.code === 0 && existsSync(output)) return { tool, path: output };
    why.push(`${tool}: ${r.stderr.split('\n').find((l) => /E:|error|Error/.test(l))?.trim().slice(0, 80) ?? `exit ${r.code}`}`);
  }
  return { tool: null, why: why.join('; ') };
}

export interface FrameDiff {
  frames: number;
  maxAbsDiff: number;
  differing: number;
  samples: number;
}

function compareFrames(a: DecodedFrame, b: DecodedFrame): { max: number; differing: number } {
  if (a.pixels.length !== b.pixels.length || a.samplesPerPixel !== b.samplesPerPixel) return { max: Number.POSITIVE_INFINITY, differing: a.pixels.length };
  let max = 0;
  let differing = 0;
  for (let i = 0; i < a.pixels.length; i++) {
    const x = a.pixels[i]!;
    const y = b.pixels[i]!;
    const d = Math.abs(x - y);
    if (d !== 0 && !(Number.isNaN(x) && Number.isNaN(y))) {
      differing++;
      if (d > max) max = d;
    }
  }
  return { max, differing };
}

export function loadDicom(path: string): DicomFile {
  return parseDicom(new Uint8Array(readFileSync(path)));
}

export interface Comparison extends FrameDiff {
  msPerFrame: number;
  /** Frames our decoder refused, with the AppError code (e.g. a codestream that contradicts the header). */
  refused: Array<{ frame: number; code: string }>;
}

/** Decodes every frame of `ours` and of the reference file, and compares them. */
export async function compareWithReference(ours: DicomFile, reference: DicomFile, codecs: CodecRegistry, maxFrames = Number.POSITIVE_INFINITY): Promise<Comparison> {
  const frames = Math.min(readPixelDescription(ours.dataSet, ours.transferSyntaxUid).numberOfFrames, maxFrames);
  const refFrames = readPixelDescription(reference.dataSet, reference.transferSyntaxUid).numberOfFrames;
  if (refFrames < frames) throw new Error(`reference has ${refFrames} frames, ours ${frames}`);
  let maxAbsDiff = 0;
  let differing = 0;
  let samples = 0;
  let ms = 0;
  let timed = 0;
  const refused: Comparison['refused'] = [];
  for (let f = 0; f < frames; f++) {
    const t = performance.now();
    let a: DecodedFrame;
    try {
      a = await decodeFrame(ours, f, codecs);
    } catch (e) {
      if (!isAppError(e)) throw e;
      refused.push({ frame: f, code: e.code });
      continue;
    }
    ms += performance.now() - t;
    timed++;
    const b = await decodeFrame(reference, f, codecs);
    const d = compareFrames(a, b);
    maxAbsDiff = Math.max(maxAbsDiff, d.max);
    differing += d.differing;
    samples += a.pixels.length;
  }
  return { frames, maxAbsDiff, differing, samples, msPerFrame: timed ? ms / timed : 0, refused };
}

/** Whether dcmtk itself can render the file (the arbiter when a file is refused by us). */
export async function dcmtkCanRender(input: string, outDir: string, key: string): Promise<boolean> {
  const r = await run('dcm2pnm', ['--write-raw-pnm', input, join(outDir, `${key}.pnm`)]);
  return r.code === 0 && !/^[EF]: /m.test(r.stderr);
}

const HTJ2K = ['1.2.840.10008.1.2.4.201', '1.2.840.10008.1.2.4.202', '1.2.840.10008.1.2.4.203'];

export function isHtj2k(ts: string): boolean {
  return HTJ2K.includes(ts);
}

/** Reads a binary PGM/PPM (8- or 16-bit, big-endian samples as Netpbm defines). */
export function readPnm(path: string): { width: number; height: number; channels: number; data: Uint8Array | Uint16Array } {
  const b = readFileSync(path);
  const fields: string[] = [];
  let at = 0;
  while (fields.length < 4) {
    while (at < b.length && /\s/.test(String.fromCharCode(b[at]!))) at++;
    let s = '';
    while (at < b.length && !/\s/.test(String.fromCharCode(b[at]!))) s += String.fromCharCode(b[at++]!);
    fields.push(s);
  }
  at++;
  const channels = fields[0] === 'P6' ? 3 : 1;
  const width = Number(fields[1]);
  const height = Number(fields[2]);
  const n = width * height * channels;
  if (Number(fields[3]) < 256) return { width, height, channels, data: new Uint8Array(b.subarray(at, at + n)) };
  const data = new Uint16Array(n);
  for (let i = 0; i < n; i++) data[i] = (b[at + 2 * i]! << 8) | b[at + 2 * i + 1]!;
  return { width, height, channels, data };
}

/** HTJ2K: OpenJPH's native ojph_expand decodes each frame's codestream (GDCM 3.0 has no HTJ2K). */
export async function compareWithOjphExpand(ours: DicomFile, codecs: CodecRegistry, outDir: string, key: string): Promise<Comparison | { why: string }> {
  const desc = readPixelDescription(ours.dataSet, ours.transferSyntaxUid);
  const element = ours.dataSet.elements[desc.pixelTag]!;
  let maxAbsDiff = 0;
  let differing = 0;
  let samples = 0;
  let ms = 0;
  for (let f = 0; f < desc.numberOfFrames; f++) {
    const codestream = encapsulatedFrame(ours.dataSet, element, f, desc.numberOfFrames, true);
    const j2c = join(outDir, `${key}.${f}.j2c`);
    const pnm = join(outDir, `${key}.${f}.${desc.samplesPerPixel === 3 ? 'ppm' : 'pgm'}`);
    writeFileSync(j2c, codestream);
    const r = await run('ojph_expand', ['-i', j2c, '-o', pnm]);
    if (r.code !== 0) return { why: `ojph_expand: exit ${r.code}` };
    const ref = readPnm(pnm);
    const t = performance.now();
    const a = await decodeFrame(ours, f, codecs);
    ms += performance.now() - t;
    if (a.pixels.length !== ref.data.length) return { why: 'ojph_expand output has another size' };
    for (let i = 0; i < ref.data.length; i++) {
      const d = Math.abs(a.pixels[i]! - ref.data[i]!);
      if (d) differing++;
      if (d > maxAbsDiff) maxAbsDiff = d;
    }
    samples += ref.data.length;
  }
  return { frames: desc.numberOfFrames, maxAbsDiff, differing, samples, msPerFrame: ms / desc.numberOfFrames, refused: [] };
}
