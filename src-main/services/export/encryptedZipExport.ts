// An AES-256 encrypted package (WinZip AE-2 via @zip.js/zip.js) holding de-identified DICOM media:
// opens in 7-Zip and other AES-capable unzippers with the password, and not without it.
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { configure, Uint8ArrayReader, ZipWriter } from '@zip.js/zip.js';
import { AppError } from '../../../src-shared/errors';
import { audited, optionDetail } from './auditExport';
import { buildDicomMedia } from './dicomMediaExport';
import type { DeidExportOptions, ExportDeps, ExportResult, ExportInput } from './exportTypes';

// Main has no web workers to spare and must not fetch worker scripts.
configure({ useWebWorkers: false });

export const MIN_PASSWORD_LENGTH = 8;

export interface EncryptedZip {
  add(name: string, bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Opens an AES-256 (AE-2) zip at zipPath; entries are encrypted and streamed to disk as they are added. */
export function openEncryptedZip(zipPath: string, password: string): EncryptedZip {
  if (password.length < MIN_PASSWORD_LENGTH) throw new AppError('INVALID_REQUEST', `the package password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  fs.mkdirSync(path.dirname(zipPath), { recursive: true });
  const out = Writable.toWeb(fs.createWriteStream(zipPath, { mode: 0o600 })) as WritableStream<Uint8Array>;
  const zip = new ZipWriter(out, { password, encryptionStrength: 3, zipCrypto: false });
  return {
    add: async (name, bytes) => {
      await zip.add(name, new Uint8ArrayReader(bytes), { password, encryptionStrength: 3, zipCrypto: false });
    },
    close: async () => {
      await zip.close();
    },
  };
}

export async function exportEncryptedZip(inputs: readonly ExportInput[], zipPath: string, password: string, opts: DeidExportOptions, deps: ExportDeps): Promise<ExportResult> {
  return audited(
    deps,
    'export.encryptedZip',
    { ...optionDetail(opts), encryption: 'AES-256' },
    async () => {
      const zip = openEncryptedZip(zipPath, password);
      try {
        const files = await buildDicomMedia(inputs, opts, deps, (m) => zip.add(m.fileId.join('/'), m.bytes));
        await zip.close();
        return { files, outputPath: zipPath };
      } catch (e) {
        // A half-written package is removed rather than left behind.
        await zip.close().catch(() => undefined);
        fs.rmSync(zipPath, { force: true });
        throw e;
      }
    },
    (r) => r.files.length,
  );
}
