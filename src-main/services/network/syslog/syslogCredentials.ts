// The TLS material audit forwarding presents and trusts, read from the files policy names (policySchema.ts:
// AuditSyslogCaFile, AuditSyslogClientCertFile, AuditSyslogClientKeyFile) at each connection, so IT can renew a
// certificate without restarting the app. On Linux and macOS each file (and its folder) must be owned by root and
// writable by nobody else, as the policy file itself is; the private key must also not be readable by all users
// (root:<group of Enclave's users> 0640 is the intended form). On Windows, ACLs are IT's to set: Node cannot read
// them. Files are opened without following a symbolic link and checked on the descriptor that is read.
import { constants, promises as fsp } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../../src-shared/errors';
import { ownershipProblem } from '../../policy/policyFile';
import type { EffectivePolicy } from '../../policy/policySchema';

export interface SyslogCredentials {
  /** The receiver's CA (only it is trusted for the receiver), or null: the gate's trust (system CAs). */
  ca: string[] | null;
  cert: string;
  key: string;
}

export interface CredentialFileRules {
  platform: NodeJS.Platform;
  /** Owners a credential file may have (uid): root only, unless a test says otherwise. */
  owners: readonly number[];
}

export const DEFAULT_CREDENTIAL_RULES: CredentialFileRules = { platform: process.platform, owners: [0] };

/** PEM files are small; a larger file is not one. */
const MAX_PEM_BYTES = 64 * 1024;

/** Why a credential file cannot be used, as a short machine word (audit detail). */
export type CredentialProblem = 'missing' | 'not_a_file' | 'untrusted_owner' | 'readable_by_all' | 'not_pem' | 'unreadable';

export class SyslogCredentialError extends AppError {
  constructor(readonly problem: CredentialProblem, message: string) {
    super('PERMISSION_DENIED', message);
  }
}

async function readPem(file: string, isKey: boolean, rules: CredentialFileRules): Promise<string> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SyslogCredentialError('missing', `${file} does not exist.`);
    if (code === 'ELOOP') throw new SyslogCredentialError('not_a_file', `${file} is a symbolic link: it must be a plain file.`);
    throw new SyslogCredentialError('unreadable', `${file} cannot be opened (${code ?? 'error'}).`);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile() || st.size > MAX_PEM_BYTES) throw new SyslogCredentialError('not_a_file', `${file} is not a PEM file.`);
    if (rules.platform !== 'win32') {
      const problem = ownershipProblem(file, st, rules.owners) ?? ownershipProblem(path.dirname(file), await fsp.stat(path.dirname(file)), rules.owners);
      if (problem) throw new SyslogCredentialError('untrusted_owner', `${problem}: audit forwarding does not use it.`);
      if (isKey && st.mode & 0o004) throw new SyslogCredentialError('readable_by_all', `${file} is readable by every user (mode ${(st.mode & 0o777).toString(8)}): audit forwarding does not use it.`);
    }
    const text = await handle.readFile('utf8');
    if (!/^-----BEGIN [A-Z0-9 ]+-----$/m.test(text)) throw new SyslogCredentialError('not_pem', `${file} holds no PEM block.`);
    return text;
  } finally {
    await handle.close();
  }
}

export async function loadSyslogCredentials(p: EffectivePolicy, rules: CredentialFileRules = DEFAULT_CREDENTIAL_RULES): Promise<SyslogCredentials> {
  if (!p.AuditSyslogClientCertFile || !p.AuditSyslogClientKeyFile) throw new SyslogCredentialError('missing', 'Policy names no client certificate for audit forwarding.');
  return {
    ca: p.AuditSyslogCaFile ? [await readPem(p.AuditSyslogCaFile, false, rules)] : null,
    cert: await readPem(p.AuditSyslogClientCertFile, false, rules),
    key: await readPem(p.AuditSyslogClientKeyFile, true, rules),
  };
}
