// `enclave anonymize <in> <out> [--option retain-uids ...]`: de-identifies a file or a folder of DICOM files
// (PS3.15 Annex E Basic Profile plus the options named) into a folder, and reports what it did per file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { AppError } from '../../src-shared/errors';
import { OPTION_KEYS, type DeidOptions, type OptionKey } from '../../src-shared/deid';
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
  secretFile?: string;
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
  const opts = { options, burnedIn: { override: !!args.burnedInOverride } };
  const result = args.dicomdir ? await exportDicomMedia(files, args.output, opts, full) : await exportDeidentifiedFolder(files, args.output, opts, full);
  const base = fs.statSync(args.input).isDirectory() ? args.input : path.dirname(args.input);
  const lines = result.files.map((f) => {
    const c = f.counts;
    const notes = [f.burnedInFlagged ? (f.redacted ? 'burned-in: redacted' : 'burned-in: OVERRIDE') : ''].filter(Boolean);
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
    .option('--secret-file <path>', 'per-installation de-identification secret (created if missing)')
    .action(async (input: string, output: string, o: { option: string[]; dicomdir?: boolean; burnedInOverride?: boolean; secretFile?: string }) => {
      const summary = await runAnonymize({ input, output, options: o.option, dicomdir: !!o.dicomdir, burnedInOverride: !!o.burnedInOverride, ...(o.secretFile ? { secretFile: o.secretFile } : {}) });
      for (const l of summary.lines) console.log(l);
    });
}
