// Helpers shared by the de-identification tests: data locations and the reference tools they spawn.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const DATA = path.resolve(__dirname, '../../../../shared/data');
export const PHI_FILE = path.join(DATA, 'phantoms/deid/phi-everywhere.dcm');
export const PYTHON = '/usr/bin/python3';

/** Fails (never skips) when a Debian tool the test relies on is missing. */
export function requireTool(cmd: string): void {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`]);
  if (r.status !== 0) throw new Error(`${cmd} is required for this test (install the Debian package that provides it)`);
}

export function dcmdump(file: string, args: string[] = []): string {
  return execFileSync('dcmdump', ['-q', '+L', ...args, file], { encoding: 'latin1', maxBuffer: 64 << 20 });
}

/** Error lines of dciodvfy, with numbers and UIDs masked so that a remapped UID does not make an old error look new. */
export function dciodvfyErrors(file: string): string[] {
  const r = spawnSync('dciodvfy', [file], { encoding: 'latin1' });
  return [
    ...new Set(
      `${r.stdout}\n${r.stderr}`
        .split('\n')
        .filter((l) => l.startsWith('Error'))
        .map((l) => l.replace(/\b\d+(\.\d+)*\b/g, '<uid>')),
    ),
  ].sort();
}

/** Runs a Python snippet with pydicom; argv after the script are passed as sys.argv[1:]. */
export function python(script: string, args: string[] = []): string {
  return execFileSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8' });
}

export function bytesContain(hay: Uint8Array, needle: string): boolean {
  return Buffer.from(hay).includes(Buffer.from(needle, 'latin1'));
}

export function tmpDir(name: string): string {
  return fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), `enclave-${name}-`));
}
