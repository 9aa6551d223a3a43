// `enclave anonymize <in> <out> [--option retain-uids ...]`: de-identifies a file or a folder of DICOM files
// (PS3.15 Annex E Basic Profile plus the options named) into a folder, and reports what it did per file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { AppError } from '../../src-shared/errors';
import { OPTION_KEYS, type DeidOptions, type OptionKey } from '../../src-shared/deid';
import { parseRedactionRegions, type RedactionRegions } from '../../src-shared/deid/redactionRegions';
import { loadOrCreateDeidSecret } from '../services/export/deidSecret';
import { exportDicomMedia } from '../services/export/dicomMediaExport';
import type { ExportDeps, ExportResult } from '../services/export/exportTypes';
import { exportDeidentifiedFolder } from '../services/export/folderExport';
import { filesUnder } from '../services/filesUnder';

/** CLI spelling of each option (kebab case) -> the option key. */
export const CLI_OPTIONS: Record<string, OptionKey> = Object.fromEntries(
  OPTION_KEYS.map((k) => [k.replace(/Longitudinal/, 'Long').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), k]),
);

export interface AnonymizeArgs {
  input: string;
  output: string;
  options?: string[];
  /** Write DICOM media (DICOMDIR + DICOM/ tree) instead of a flat folder. */
  dicomdir?: boolean;
  burnedInOverride?: boolean;
  /** JSON file of rectangles to blank per image size (and device) or per SOP Instance UID (see REDACT_REGIONS_HELP). */
  redactRegions?: string;
  secretFile?: string;
}

export const REDACT_REGIONS_HELP = `Redaction regions (--redact-regions FILE), pixel coordinates (x = column, y = row, from the top left):
  {
    "version": 1,
    "bySize": [
      { "columns": 640, "rows": 480, "manufacturer": "ACME", "model": "Echo 5",
        "rects": [ { "x": 0, "y": 0, "width": 640, "height": 40 } ] }
    ],
    "bySopInstance": {
      "1.2.840.113619.2.1.1.1": [ { "x": 10, "y": 400, "width": 200, "height": 30 } ]
    }
  }
An image listed by its (original) SOP Instance UID gets its own rectangles; any other image gets the
rectangles of every bySize entry with its size (manufacturer and model, when given, must match too).
Every frame is blanked; compressed pixel data (JPEG, JPEG-LS, JPEG 2000, RLE) is decoded and written
uncompressed (Explicit VR Little Endian); Burned In Annotation becomes NO and Clean Pixel Data (113101) is
recorded; a lossy original stays marked lossy and the output says it was re-encoded.`;

const MAX_REGIONS_FILE = 1 << 20;

export function readRedactRegions(file: string): RedactionRegions {
  let text: string;
  try {
    if (fs.statSync(file).size > MAX_REGIONS_FILE) throw new AppError('INVALID_REQUEST', 'redaction regions file is larger than 1 MiB');
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('NOT_FOUND', 'cannot read the redaction regions file', { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new AppError('INVALID_REQUEST', 'redaction regions file is not JSON', { cause: e });
  }
  return parseRedactionRegions(json);
}

export function defaultSecretFile(): string {
  return path.join(process.env['ENCLAVE_HOME'] ?? path.join(os.homedir(), '.config', 'enclave'), 'deid-secret');
}

function isDicomFile(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const b = Buffer.alloc(132);
      const n = fs.readSync(fd, b, 0, 132, 0);
      return n === 132 && b.toString('latin1', 128, 132) === 'DICM';
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

function listInputs(input: string): { files: string[]; skipped: string[] } {
  const st = fs.statSync(input, { throwIfNoEntry: false });
  if (!st) throw new AppError('NOT_FOUND', 'input not found');
  const all = filesUnder(input);
  const files = all.filter((f) => path.basename(f).toUpperCase() !== 'DICOMDIR' && isDicomFile(f));
  return { files, skipped: all.filter((f) => !files.includes(f)) };
}

export function parseOptions(names: readonly string[]): DeidOptions {
  const out: DeidOptions = {};
  for (const n of names) {
    const key = CLI_OPTIONS[n];
    if (!key) throw new AppError('INVALID_REQUEST', `unknown option ${n} (known: ${Object.keys(CLI_OPTIONS).join(', ')})`);
    out[key] = true;
  }
  return out;
}

export interface AnonymizeSummary {
  result: ExportResult;
  skipped: string[];
  lines: string[];
}

/** Runs the command; `deps` lets the app wire its own permission check, audit service and user. */
export async function runAnonymize(args: AnonymizeArgs, deps: Partial<ExportDeps> = {}): Promise<AnonymizeSummary> {
  const options = parseOptions(args.options ?? []);
  const { files, skipped } = listInputs(args.input);
  if (files.length === 0) throw new AppError('NOT_FOUND', 'no DICOM files (with a DICM preamble) under the input');
  const full: ExportDeps = {
    user: deps.user ?? os.userInfo().username,
    secret: deps.secret ?? loadOrCreateDeidSecret(args.secretFile ?? defaultSecretFile()),
    checkPermission: deps.checkPermission ?? (() => undefined),
    audit: deps.audit ?? (() => undefined),
    ...(deps.now ? { now: deps.now } : {}),
  };
  const regions = args.redactRegions ? readRedactRegions(args.redactRegions) : undefined;
  const opts = { options, burnedIn: { override: !!args.burnedInOverride, ...(regions ? { regions } : {}) } };
  const result = args.dicomdir ? await exportDicomMedia(files, args.output, opts, full) : await exportDeidentifiedFolder(files, args.output, opts, full);
  const base = fs.statSync(args.input).isDirectory() ? args.input : path.dirname(args.input);
  const lines = result.files.map((f) => {
    const c = f.counts;
    const notes = [f.burnedInFlagged ? (f.redacted ? 'burned-in: redacted' : 'burned-in: OVERRIDE') : f.redacted ? 'redacted' : '', f.redactionNote ?? ''].filter(Boolean);
    return `${path.relative(base, f.source)} -> ${path.relative(args.output, f.output)}: removed ${c['removed'] ?? 0}, emptied ${c['emptied'] ?? 0}, dummied ${c['dummied'] ?? 0}, UIDs replaced ${c['uidsReplaced'] ?? 0}, kept by option ${c['keptByOption'] ?? 0}, cleaned ${c['cleaned'] ?? 0}, dates shifted ${c['datesShifted'] ?? 0}, private removed ${c['privateRemoved'] ?? 0}, overlay/curve removed ${c['overlayCurveRemoved'] ?? 0}${notes.length ? ` [${notes.join(', ')}]` : ''}`;
  });
  for (const s of skipped) lines.push(`${path.relative(base, s)}: skipped (not a DICOM Part 10 file)`);
  const optionText = Object.keys(options).length ? Object.keys(options).join(', ') : 'none';
  lines.push(`${result.files.length} file(s) de-identified (PS3.15 Annex E Basic Profile; options: ${optionText}), ${skipped.length} skipped`);
  return { result, skipped, lines };
}

export function anonymizeCommand(): Command {
  return new Command('anonymize')
    .description('De-identify DICOM files (PS3.15 Annex E Basic Profile + options) into a folder, reporting per file')
    .argument('<in>', 'a DICOM file or a folder (searched recursively)')
    .argument('<out>', 'output folder')
    .option('--option <name...>', `profile options: ${Object.keys(CLI_OPTIONS).join(', ')}`, [])
    .option('--dicomdir', 'write DICOM media (DICOMDIR + DICOM/ tree) instead of a flat folder')
    .option('--burned-in-override', 'export files that may carry burned-in text without redaction')
    .option('--redact-regions <file>', 'JSON of rectangles to blank, per image size or SOP Instance UID (format below)')
    .option('--secret-file <path>', 'per-installation de-identification secret (created if missing)')
    .addHelpText('after', `\n${REDACT_REGIONS_HELP}`)
    .action(async (input: string, output: string, o: { option: string[]; dicomdir?: boolean; burnedInOverride?: boolean; redactRegions?: string; secretFile?: string }) => {
      const summary = await runAnonymize({
        input, output, options: o.option, dicomdir: !!o.dicomdir, burnedInOverride: !!o.burnedInOverride,
        ...(o.redactRegions ? { redactRegions: o.redactRegions } : {}), ...(o.secretFile ? { secretFile: o.secretFile } : {}),
      });
      for (const l of summary.lines) console.log(l);
    });
}
