// Linux machine policy: /etc/enclave/policy.json. Only root may be able to change it, so it is read only
// when the file and its folder are owned by root and writable by nobody else; otherwise any local user
// could loosen what IT set. The checks are made on the open file descriptor (fstat), so the file checked is
// the file read, and a symbolic link is not followed.
import { constants, promises as fsp, type Stats } from 'node:fs';
import path from 'node:path';
import { applyPolicy, noPolicy, untrustedPolicy, type LoadedPolicy } from './effectivePolicy';

export const LINUX_POLICY_PATH = '/etc/enclave/policy.json';

/** A policy file is small; anything larger is not one. */
const MAX_POLICY_BYTES = 256 * 1024;

/** Why `st` could be changed by someone other than root (or the `owners` given), or null. */
export function ownershipProblem(what: string, st: Stats, owners: readonly number[] = [0]): string | null {
  if (!owners.includes(st.uid)) return `${what} is owned by uid ${st.uid}, not ${owners.length === 1 && owners[0] === 0 ? 'root' : `uid ${owners.join(' or ')}`}`;
  if (st.mode & 0o022) return `${what} is writable by ${st.mode & 0o002 ? 'others' : 'its group'} (mode ${(st.mode & 0o777).toString(8)})`;
  return null;
}

export async function loadPolicyFile(file: string = LINUX_POLICY_PATH): Promise<LoadedPolicy> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return noPolicy(file);
    if (code === 'ELOOP') return untrustedPolicy('refused', file, [`${file} is a symbolic link: the policy must be a plain file.`]);
    return untrustedPolicy('refused', file, [`${file} cannot be opened (${code ?? 'error'}).`]);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return untrustedPolicy('refused', file, [`${file} is not a plain file.`]);
    const problems = [ownershipProblem(file, st), ownershipProblem(path.dirname(file), await fsp.stat(path.dirname(file)))].filter((p) => p !== null);
    if (problems.length) return untrustedPolicy('refused', file, problems.map((p) => `${p}: the policy is ignored and everything is locked down.`));
    if (st.size > MAX_POLICY_BYTES) return untrustedPolicy('malformed', file, [`${file} is larger than ${MAX_POLICY_BYTES} bytes.`]);
    return parsePolicyJson(await handle.readFile('utf8'), file);
  } finally {
    await handle.close();
  }
}

/** JSON text to the policy that applies; a syntax error names where it is. */
export function parsePolicyJson(text: string, source: string): LoadedPolicy {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return untrustedPolicy('malformed', source, [`${source} is not valid JSON: ${(e as Error).message}.`]);
  }
  return applyPolicy(raw, source);
}
