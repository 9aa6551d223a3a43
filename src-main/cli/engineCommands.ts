// `enclave info | dump | render`: the DICOM engine from the command line, over the same parse,
// geometry and CPU render code the app uses. `info` prints no free text, identifiers or instance
// UIDs (descriptions carry names in the wild); `dump` shows the file's content, that is its purpose.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { AppError, isAppError } from '../../src-shared/errors';
import { parseDicom, type DicomFile } from '../../src-shared/dicom/parse';
import { readInstanceMeta } from '../../src-shared/dicom/instanceMeta';
import { dumpDataset, type DumpNode } from '../../src-shared/dicom/dump';
import type { InstanceMeta, Volume, VolumeWarning } from '../../src-shared/dicom/types';
import { frameRefsOf, type FrameRef } from '../../src-shared/dicom/volume/frameGeometry';
import { computeSeriesGeometry } from '../../src-shared/dicom/volume/seriesGeometry';
import { modalityUnits } from '../../src-shared/dicom/volume/volumeUnits';
import { renderFrameToPng } from '../services/render/renderFrame';
import { withBundledDecoder } from '../services/series/boundedFrameDecode';
import { filesUnder } from '../services/filesUnder';

function readBytes(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new AppError('NOT_FOUND', `cannot read ${file}`, { cause: e });
  }
}

export interface SeriesInfo {
  modality: string;
  seriesNumber: number | null;
  instances: number;
  frames: number;
  rows: number;
  columns: number;
  transferSyntaxes: string[];
  units: string;
  /** Volume geometry; null when the frames do not make one (error says why). */
  volume: Pick<Volume, 'dimensions' | 'spacing' | 'origin' | 'direction'> | null;
  warnings: VolumeWarning[];
  error?: { code: string; message: string };
}

export interface InfoReport {
  path: string;
  files: number;
  /** Files that are not DICOM or not images (DICOMDIR, SR, ...), by reason. */
  skipped: Record<string, number>;
  series: SeriesInfo[];
  /** For a single file: technical header values (no identifiers). */
  instance?: Record<string, unknown>;
  parseWarnings?: string[];
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;
const roundVec = <T extends number[]>(v: T): T => v.map(round) as T;

function instanceSummary(file: DicomFile, m: InstanceMeta): Record<string, unknown> {
  return {
    transferSyntaxUid: file.transferSyntaxUid, sopClassUid: m.sopClassUid, modality: m.modality, rows: m.rows, columns: m.columns,
    numberOfFrames: m.numberOfFrames, samplesPerPixel: m.samplesPerPixel, photometricInterpretation: m.photometricInterpretation,
    bitsAllocated: m.bitsAllocated, bitsStored: m.bitsStored, highBit: m.highBit, pixelRepresentation: m.pixelRepresentation,
    pixelSpacing: m.pixelSpacing, sliceThickness: m.sliceThickness, imagePositionPatient: m.imagePositionPatient,
    imageOrientationPatient: m.imageOrientationPatient, rescaleSlope: m.rescaleSlope, rescaleIntercept: m.rescaleIntercept,
    windowCenter: m.windowCenter, windowWidth: m.windowWidth, specificCharacterSet: m.specificCharacterSet,
    hasFileMeta: file.hasFileMeta, truncated: file.truncated,
  };
}

export function infoOf(target: string): InfoReport {
  const isDir = statSync(target, { throwIfNoEntry: false })?.isDirectory() ?? false;
  if (!isDir && !statSync(target, { throwIfNoEntry: false })?.isFile()) throw new AppError('NOT_FOUND', `no such file or folder: ${target}`);
  const paths = isDir ? filesUnder(target) : [target];
  const report: InfoReport = { path: target, files: paths.length, skipped: {}, series: [] };
  const groups = new Map<string, Array<{ key: string; file: DicomFile; meta: InstanceMeta }>>();
  for (const p of paths) {
    let file: DicomFile;
    try {
      file = parseDicom(readBytes(p), { untilPixelData: true });
    } catch (e) {
      if (!isDir) throw e;
      const code = isAppError(e) ? e.code : 'INTERNAL';
      report.skipped[code] = (report.skipped[code] ?? 0) + 1;
      continue;
    }
    const meta = readInstanceMeta(file);
    if (!isDir) {
      report.instance = instanceSummary(file, meta);
      report.parseWarnings = file.warnings;
    }
    if (!meta.hasPixelData || meta.rows === 0 || meta.columns === 0) {
      report.skipped['NO_IMAGE'] = (report.skipped['NO_IMAGE'] ?? 0) + 1;
      continue;
    }
    // Series without a UID are kept apart per folder rather than merged across the disc.
    const key = meta.seriesInstanceUid || `no-uid:${path.dirname(p)}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push({ key: p, file, meta });
  }
  for (const members of groups.values()) {
    const first = members[0]!.meta;
    const frames: FrameRef[] = [];
    // A loop, not push(...refs): a hostile NumberOfFrames must not turn into an argument-list overflow.
    for (const m of members) for (const ref of frameRefsOf(m.key, m.file, m.meta)) frames.push(ref);
    const info: SeriesInfo = {
      modality: first.modality, seriesNumber: first.seriesNumber,
      instances: members.length, frames: frames.length, rows: first.rows, columns: first.columns,
      transferSyntaxes: [...new Set(members.map((m) => m.file.transferSyntaxUid))].sort(),
      units: modalityUnits(first), volume: null, warnings: [],
    };
    try {
      const g = computeSeriesGeometry(frames);
      info.volume = { dimensions: g.dimensions, spacing: roundVec(g.spacing), origin: roundVec(g.origin), direction: roundVec(g.direction) };
      info.warnings = g.warnings;
    } catch (e) {
      if (!isAppError(e)) throw e;
      info.error = { code: e.code, message: e.message };
    }
    report.series.push(info);
  }
  report.series.sort((a, b) => (a.seriesNumber ?? Infinity) - (b.seriesNumber ?? Infinity) || a.modality.localeCompare(b.modality));
  return report;
}

const fmt = (v: readonly number[]) => `(${v.map((x) => round(x)).join(', ')})`;

function printInfo(r: InfoReport): void {
  const lines: string[] = [`${r.path}: ${r.files} file(s), ${r.series.length} image series`];
  const skipped = Object.entries(r.skipped);
  if (skipped.length) lines.push(`  skipped: ${skipped.map(([k, n]) => `${n} ${k}`).join(', ')}`);
  if (r.instance) {
    const i = r.instance;
    lines.push(`  ${String(i['modality'])} ${String(i['columns'])}x${String(i['rows'])}, ${String(i['numberOfFrames'])} frame(s), ` +
      `${String(i['photometricInterpretation'])}, ${String(i['bitsStored'])}/${String(i['bitsAllocated'])} bits, transfer syntax ${String(i['transferSyntaxUid'])}`);
    for (const w of r.parseWarnings ?? []) lines.push(`  parse warning: ${w}`);
  }
  r.series.forEach((s, n) => {
    lines.push(`series ${n + 1}: ${s.modality} number ${s.seriesNumber ?? '-'}, ` +
      `${s.instances} instance(s), ${s.frames} frame(s) ${s.columns}x${s.rows}${s.units ? `, ${s.units}` : ''}`);
    if (s.volume) {
      const v = s.volume;
      lines.push(`  dimensions ${v.dimensions.join(' x ')}  spacing ${fmt(v.spacing)} mm  origin ${fmt(v.origin)} mm`);
      const d = v.direction;
      // Volume.direction is row-major with the axes as columns: print each axis as a vector.
      lines.push(`  axes (LPS)  i ${fmt([d[0], d[3], d[6]])}  j ${fmt([d[1], d[4], d[7]])}  k ${fmt([d[2], d[5], d[8]])}`);
    }
    if (s.error) lines.push(`  no volume: ${s.error.code}: ${s.error.message}`);
    for (const w of s.warnings) lines.push(`  warning ${w.code}: ${w.message}`);
  });
  console.log(lines.join('\n'));
}

function printDump(nodes: DumpNode[], depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  for (const n of nodes) {
    const name = n.keyword || n.name;
    out.push(`${pad}${n.tag} ${n.vr || '??'} ${name.padEnd(Math.max(0, 36 - pad.length))} ${n.items ? '' : `[${n.value}]`}${n.items ? n.value : ''} #${n.length}`);
    n.items?.forEach((item, i) => {
      out.push(`${pad}  > item ${i + 1}`);
      printDump(item, depth + 2, out);
    });
  }
}

function parseWindow(v: string): { center: number; width: number } {
  const m = /^\s*(-?[\d.]+(?:e-?\d+)?)\s*[/,]\s*([\d.]+(?:e-?\d+)?)\s*$/i.exec(v);
  const center = m ? Number(m[1]) : NaN;
  const width = m ? Number(m[2]) : NaN;
  if (!Number.isFinite(center) || !Number.isFinite(width) || width <= 0) {
    throw new InvalidArgumentError('expected CENTRE/WIDTH, e.g. 40/400 or -600/1500');
  }
  return { center, width };
}

function parseFrame(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a frame number from 0');
  return n;
}

export function registerEngineCommands(program: Command): void {
  program
    .command('info')
    .description('summarise a DICOM file, or every image series in a folder with its volume geometry and warnings')
    .argument('<path>', 'a DICOM file or a folder (searched recursively)')
    .option('--json', 'machine-readable output')
    .action((target: string, opts: { json?: boolean }) => {
      const r = infoOf(target);
      if (opts.json) console.log(JSON.stringify(r, null, 2));
      else printInfo(r);
    });

  program
    .command('dump')
    .description('print the tag tree: names from the DICOM dictionary, text decoded per the Specific Character Set')
    .argument('<file>', 'a DICOM file')
    .option('--json', 'machine-readable output')
    .option('--max-chars <n>', 'longest value shown', (v) => parseFrame(v), 96)
    .action((file: string, opts: { json?: boolean; maxChars: number }) => {
      const f = parseDicom(readBytes(file));
      const nodes = dumpDataset(f, { maxValueChars: opts.maxChars });
      if (opts.json) {
        console.log(JSON.stringify({ transferSyntaxUid: f.transferSyntaxUid, warnings: f.warnings, elements: nodes }, null, 2));
        return;
      }
      const out = [`# ${file}: transfer syntax ${f.transferSyntaxUid}${f.hasFileMeta ? '' : ' (no file meta)'}${f.truncated ? ', truncated' : ''}`];
      for (const w of f.warnings) out.push(`# warning: ${w}`);
      printDump(nodes, 0, out);
      console.log(out.join('\n'));
    });

  program
    .command('render')
    .description('render one frame to PNG on the CPU (modality LUT, window, MONOCHROME1, colour)')
    .argument('<file>', 'a DICOM image file')
    .requiredOption('--out <png>', 'output PNG file')
    .option('--frame <n>', 'frame number, from 0', parseFrame, 0)
    .option('--window <centre/width>', 'window in modality units (HU for CT), e.g. 40/400; default: the file\'s own', parseWindow)
    .action(async (file: string, opts: { out: string; frame: number; window?: { center: number; width: number } }) => {
      const f = parseDicom(readBytes(file));
      // A compressed frame decodes in the bundled decode worker, under its decode budget.
      const png = await withBundledDecoder((decoder) => renderFrameToPng(f, opts.frame, { window: opts.window }, undefined, decoder()));
      try {
        writeFileSync(opts.out, png);
      } catch (e) {
        throw new AppError('EXPORT_FAILED', `cannot write ${opts.out}`, { cause: e });
      }
      console.log(`wrote ${opts.out} (${png.length} bytes)`);
    });
}

