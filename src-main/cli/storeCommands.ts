// `enclave init | import | ls | verify | purge`: the encrypted store from the command line.
// The data directory comes from --data-dir or ENCLAVE_DATA_DIR. The store unlocks with the OS keychain,
// or with the recovery key read from a file (--recovery-key-file): never from a command-line argument,
// which other users could read in the process list and which shells keep in their history.
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { AppError, isAppError } from '../../src-shared/errors';
import { interruptedImportSources } from '../services/import/interruptedImports';
import { runImportInWorker } from '../services/import/importRunner';
import type { ImportReport } from '../services/import/importTypes';
import { progressLine } from '../services/import/progressText';
import { unlockDataKey } from '../services/keys/dataKeyVault';
import { readKeyFile } from '../services/keys/keyFile';
import type { KeyStore } from '../services/keys/keyStore';
import { KeytarKeyStore } from '../services/keys/keytarKeyStore';
import { dataDirLayout } from '../services/store/dataDirLayout';
import type { EncryptedStudyStore } from '../services/store/encryptedStudyStore';
import { initStore, openStoreWithDataKey } from '../services/store/openStore';
import { openAsUser, openWithRecoveryKey, type CliAuthOpts } from './cliAuth';

// Imports are bound by fsync latency: a larger libuv pool keeps more blob writes outstanding. It must be
// set before the pool starts (the first asynchronous fs call), i.e. while modules load.
process.env['UV_THREADPOOL_SIZE'] ??= '16';

export interface StoreOpts extends CliAuthOpts {
  dataDir?: string;
  recoveryKeyFile?: string;
}

/** Where the store lives when neither --data-dir nor ENCLAVE_DATA_DIR says. */
export function defaultDataDir(): string {
  const home = os.homedir();
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Enclave', 'store');
  if (process.platform === 'win32') return path.join(process.env['APPDATA'] ?? path.join(home, 'AppData', 'Roaming'), 'Enclave', 'store');
  return path.join(process.env['XDG_DATA_HOME'] || path.join(home, '.local', 'share'), 'enclave', 'store');
}

function dataDirOf(o: StoreOpts): string {
  return path.resolve(o.dataDir ?? process.env['ENCLAVE_DATA_DIR'] ?? defaultDataDir());
}

async function readRecoveryKeyFile(file: string): Promise<string> {
  let text: string;
  try {
    const st = await fsp.stat(file);
    if (!st.isFile() || st.size > 4096) throw new AppError('RECOVERY_KEY_INVALID', 'The recovery key file is not a small text file.');
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    if (isAppError(e)) throw e;
    throw new AppError('NOT_FOUND', 'The recovery key file cannot be read.', { cause: e });
  }
  return text.trim();
}

export interface Unlocked {
  store: EncryptedStudyStore;
  dataDir: string;
  dataKey: Buffer;
  /** Closes the store (and, for a user, logs them out: audited). */
  close(): Promise<void>;
}

/**
 * Unlocks the data key and opens the store with it: with the recovery key file when given; else, once the store has
 * user accounts, as the user (cliAuth.ts); else with the keychain (a store made before accounts).
 */
async function unlock(o: StoreOpts): Promise<Unlocked> {
  const dataDir = dataDirOf(o);
  const l = dataDirLayout(dataDir);
  const exists = async (p: string) => fsp.stat(p).then(() => true, () => false);
  if (!(await exists(l.keyFile))) {
    if (await exists(l.dbFile)) throw new AppError('DB_KEY_UNAVAILABLE', 'The key file (keys.json) is missing from the data directory. Restore it from a backup; nothing was changed.');
    throw new AppError('STORE_NOT_INITIALIZED', `There is no Enclave store in ${dataDir} yet: run \`enclave init\` first.`);
  }
  const accounts = (await readKeyFile(l.keyFile))?.wraps.some((w) => w.type === 'password') ?? false;
  // With a recovery key file the keychain is left alone: automation must not rewrite this machine's keychain.
  if (o.recoveryKeyFile) {
    const s = await openWithRecoveryKey(dataDir, l.keyFile, await readRecoveryKeyFile(o.recoveryKeyFile), accounts);
    return { ...s, dataDir };
  }
  if (accounts) return { ...(await openAsUser(dataDir, o)), dataDir };
  const keyStore = new KeytarKeyStore();
  const unlocked = await unlockDataKey({ keyFilePath: l.keyFile, keyStore });
  const store = await openStoreWithDataKey({ dataDir, dataKey: unlocked.dataKey, unlockedVia: unlocked.via, keyStore });
  return { store, dataDir, dataKey: unlocked.dataKey, close: () => store.close() };
}

export function storeOptions(c: Command): Command {
  return c
    .option('--data-dir <dir>', 'data directory of the store (default: $ENCLAVE_DATA_DIR, else a per-user folder)')
    .option('--recovery-key-file <file>', 'unlock with the recovery key stored in this file instead of the keychain (or a user login)')
    .option('--user <name>', 'log in as this user (a store with user accounts)')
    .option('--password-file <file>', "read the user's password from this file (else it is asked on the terminal)")
    .option('--totp <code>', 'the 6-digit code of the authenticator app, for an account with MFA');
}

export async function withStore<T>(o: StoreOpts, fn: (u: Unlocked) => Promise<T>): Promise<T> {
  const u = await unlock(o);
  try {
    return await fn(u);
  } finally {
    u.dataKey.fill(0);
    await u.close();
  }
}

function printReport(r: ImportReport): void {
  const out = process.stdout;
  out.write(`Imported ${r.added} new instance(s) from ${r.filesSeen} file(s) in ${r.seconds.toFixed(1)} s: ${r.studies} study(ies) touched.\n`);
  if (r.duplicates) out.write(`  ${r.duplicates} already stored (skipped).\n`);
  if (r.conflicts) {
    out.write(`  ${r.conflicts} with a known SOP Instance UID but different bytes: kept aside, not shown.\n`);
    for (const f of r.conflictFiles.slice(0, 20)) out.write(`    ${f}\n`);
  }
  for (const s of r.skipped) out.write(`  ${s.count} skipped: ${s.reason}.\n`);
  for (const d of r.dicomdirs) {
    if (d.broken) out.write(`  DICOMDIR ${d.path} could not be used (${d.broken}): ${d.fallbackScan ? 'its folder was scanned instead' : 'ignored'}.\n`);
    if (d.missingFiles) out.write(`  DICOMDIR ${d.path} lists ${d.missingFiles} file(s) that are missing from the media.\n`);
    if (d.resolvedLeniently) out.write(`  DICOMDIR ${d.path}: ${d.resolvedLeniently} file name(s) differ from the DICOMDIR (found anyway).\n`);
  }
  for (const m of r.missing.slice(0, 20)) out.write(`    missing: ${m.fileId}\n`);
  if (r.missing.length > 20) out.write(`    ... and ${r.missing.length - 20} more\n`);
  for (const p of r.notFound) out.write(`  not found: ${p}\n`);
  if (r.cancelled) out.write('  Cancelled: what was read so far is stored; run the same import again to finish it.\n');
}

export function registerStoreCommands(program: Command): void {
  storeOptions(
    program
      .command('init')
      .description('create an encrypted store; the recovery key is shown once (or written to a 0600 file)')
      .option('--recovery-key-out <file>', 'write the recovery key to this new file (mode 0600) instead of printing it')
      .option('--no-keychain', 'do not use the OS keychain: the store opens with the recovery key only'),
  ).action(async (o: StoreOpts & { recoveryKeyOut?: string; keychain: boolean }) => {
    const dataDir = dataDirOf(o);
    let keyStore: KeyStore | null = o.keychain ? new KeytarKeyStore() : null;
    let result;
    try {
      result = await initStore({ dataDir, keyStore });
    } catch (e) {
      if (!(isAppError(e) && e.code === 'KEYCHAIN_UNAVAILABLE')) throw e;
      process.stderr.write('enclave: no system keychain is reachable here (on Linux: no Secret Service). The store will open with its recovery key only.\n');
      keyStore = null;
      result = await initStore({ dataDir, keyStore });
    }
    if (o.recoveryKeyOut) {
      // 'wx': never overwrite an existing file; 0600: readable by this user only.
      const fh = await fsp.open(o.recoveryKeyOut, 'wx', 0o600);
      try {
        await fh.writeFile(`${result.recoveryKey}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      process.stdout.write(`Store created in ${dataDir}.\nRecovery key written to ${o.recoveryKeyOut} (mode 0600). Keep it offline; it is not stored anywhere else.\n`);
    } else {
      process.stdout.write(`Store created in ${dataDir}.\n\nRecovery key (shown once, write it down and keep it offline):\n\n  ${result.recoveryKey}\n\n`);
    }
    if (!result.keychain) process.stdout.write('This store is not in the keychain: open it with --recovery-key-file.\n');
  });

  storeOptions(
    program
      .command('import')
      .description('import files, folders, DICOMDIRs (exported CDs) and zip archives')
      .argument('[paths...]', 'files, folders, DICOMDIR files or zip archives')
      .option('--resume', 'run again the imports that were interrupted (killed or crashed)')
      .option('--json', 'print the import report as JSON')
      .option('--no-progress', 'no progress bar'),
  ).action(async (paths: string[], o: StoreOpts & { resume?: boolean; json?: boolean; progress: boolean }) => {
    await withStore(o, async (u) => {
      let sources = paths;
      if (o.resume) {
        sources = [...new Set([...paths, ...interruptedImportSources(u.store)])];
        if (sources.length === 0) {
          process.stdout.write('No interrupted import to resume.\n');
          return;
        }
      }
      if (sources.length === 0) throw new AppError('INVALID_REQUEST', 'Nothing to import: give files or folders (or --resume).');
      const tty = o.progress && process.stderr.isTTY === true;
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      let report: ImportReport;
      try {
        report = await runImportInWorker(
          sources.map((p) => path.resolve(p)),
          { kind: 'store', dataDir: u.dataDir, dataKey: u.dataKey },
          {
            signal: controller.signal,
            onProgress: (p) => {
              if (tty) process.stderr.write(`\r${progressLine(p, Math.max(10, Math.min(30, (process.stderr.columns ?? 100) - 70)))}\x1b[K`);
            },
          },
        );
      } finally {
        process.off('SIGINT', onSigint);
        if (tty) process.stderr.write('\n');
      }
      if (o.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else printReport(report);
      if (report.cancelled) process.exitCode = 130;
    });
  });

  storeOptions(program.command('ls').description('list the stored studies').option('--json', 'JSON output')).action(async (o: StoreOpts & { json?: boolean }) => {
    await withStore(o, async ({ store }) => {
      const studies = await store.listStudies();
      if (o.json) {
        const out = [];
        for (const s of studies) out.push({ ...s, series: await store.listSeries(s.studyId) });
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      if (studies.length === 0) {
        process.stdout.write('The store is empty.\n');
        return;
      }
      for (const s of studies) {
        process.stdout.write(
          `${s.studyId}  ${s.studyDate || '--------'}  ${s.patientName || '(no name)'}  ${s.patientId}  ${s.modalities.join('/')}  ${s.seriesCount} series  ${s.instanceCount} instances  ${s.studyDescription}\n`,
        );
      }
    });
  });

  storeOptions(program.command('verify').description('re-hash every stored instance and report the tampered ones').option('--json', 'JSON output')).action(
    async (o: StoreOpts & { json?: boolean }) => {
      await withStore(o, async ({ store }) => {
        const r = await store.verifyAll();
        if (o.json) process.stdout.write(`${JSON.stringify(r)}\n`);
        else {
          process.stdout.write(`Checked ${r.checked} instance(s): ${r.tampered.length === 0 ? 'all intact.' : `${r.tampered.length} TAMPERED (not shown until re-imported or purged):`}\n`);
          for (const id of r.tampered) process.stdout.write(`  ${id}\n`);
        }
        if (r.tampered.length > 0) process.exitCode = 2;
      });
    },
  );

  storeOptions(
    program
      .command('purge')
      .description('delete one study (--study ID, as `enclave ls` shows it) or everything (--all)')
      .option('--study <id>', 'the study to delete')
      .option('--all', 'delete every study and import record'),
  ).action(async (o: StoreOpts & { study?: string; all?: boolean }) => {
    if (!o.study === !o.all) throw new AppError('INVALID_REQUEST', 'Give exactly one of --study ID or --all.');
    await withStore(o, async ({ store }) => {
      if (o.all) {
        const r = await store.purgeAll();
        process.stdout.write(`Purged ${r.studies} study(ies).\n`);
      } else {
        await store.purgeStudy(o.study!);
        process.stdout.write('Purged 1 study.\n');
      }
    });
  });
}
