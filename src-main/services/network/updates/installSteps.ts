// The platform's own installer step for a TUF-verified artifact (UpdateService.install runs it right after
// re-checking the file). AppImage: the running image is replaced atomically. NSIS: the verified installer
// runs silently, per user. macOS: not yet (the zip must replace the signed bundle; until then IT's MDM or
// the DMG updates it). MSI and deb never reach here: IT and the package manager update those.
import { spawn } from 'node:child_process';
import { chmod, copyFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../../src-shared/errors';
import type { InstallKind } from './updateService';

/** Puts `verified` in place of the AppImage at `current` (same folder, then one rename: never half-written). */
export async function replaceAppImage(current: string, verified: string): Promise<void> {
  const staging = path.join(path.dirname(current), `.${path.basename(current)}.update`);
  try {
    await copyFile(verified, staging);
    await chmod(staging, 0o755);
    await rename(staging, current);
  } catch (e) {
    await rm(staging, { force: true });
    throw new AppError('INTERNAL', 'The update could not replace the AppImage.', { cause: e });
  }
}

/** Starts the verified NSIS installer silently and detached; the app quits after. */
export function runNsisInstaller(verified: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(verified, ['/S', '--updated'], { detached: true, stdio: 'ignore' });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}

/** The installer step for this kind of install, or null where the app does not install updates itself. */
export function installStep(kind: InstallKind, env: NodeJS.ProcessEnv = process.env): ((file: string) => Promise<void>) | null {
  if (kind === 'appimage' && env['APPIMAGE']) return (file) => replaceAppImage(env['APPIMAGE']!, file);
  if (kind === 'nsis') return runNsisInstaller;
  return null;
}
