// How a store command authenticates once user accounts exist: like the app, as a user (--user NAME with the
// password from --password-file or, on a terminal, a prompt that does not echo; --totp CODE where the account has
// MFA), with the same lockout and audit (User Authentication with client=cli); or with IT's recovery key
// (--recovery-key-file), audited as a login by recovery key. A password is never taken from the command line.
import { promises as fsp } from 'node:fs';
import { AppError, isAppError } from '../../src-shared/errors';
import { StoreSession } from '../services/app/storeSession';
import { unlockDataKey } from '../services/keys/dataKeyVault';
import { loadMachinePolicy } from '../services/policy/machinePolicy';
import type { EncryptedStudyStore } from '../services/store/encryptedStudyStore';
import { openStoreWithDataKey } from '../services/store/openStore';
import { AuthSession } from '../services/users/authSession';
import { loginEvent } from '../services/users/authAudit';
import { userActorDirectory } from '../services/users/userActors';
import { flushPendingAudit } from '../services/users/pendingAudit';
import { UserRows } from '../services/users/userRows';
import { UserWraps } from '../services/users/userWraps';

export interface CliAuthOpts {
  user?: string;
  passwordFile?: string;
  totp?: string;
}

export interface CliSession {
  store: EncryptedStudyStore;
  dataKey: Buffer;
  close(): Promise<void>;
}

export async function readSecretFile(file: string, what: string): Promise<string> {
  try {
    const st = await fsp.stat(file);
    if (!st.isFile() || st.size > 4096) throw new AppError('INVALID_REQUEST', `The ${what} file is not a small text file.`);
    // One line; only the line break is trimmed (spaces may belong to the password).
    return (await fsp.readFile(file, 'utf8')).replace(/\r?\n$/, '');
  } catch (e) {
    if (isAppError(e)) throw e;
    throw new AppError('NOT_FOUND', `The ${what} file cannot be read.`, { cause: e });
  }
}

/** Reads a line from the terminal without echoing it. */
async function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) throw new AppError('INVALID_REQUEST', 'No terminal to ask for the password: give --password-file.');
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  let text = '';
  try {
    return await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            resolve(text);
            return;
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            reject(new AppError('INVALID_REQUEST', 'Cancelled.'));
            return;
          }
          if (ch === '\u007f' || ch === '\b') text = [...text].slice(0, -1).join('');
          else text += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}

/** A store with user accounts, opened by a user's password (and TOTP), exactly as the app's login does. */
export async function openAsUser(dataDir: string, o: CliAuthOpts): Promise<CliSession> {
  if (!o.user) throw new AppError('AUTH_REQUIRED', 'This store has user accounts: give --user NAME (with --password-file, or type the password), or --recovery-key-file.');
  const password = o.passwordFile ? await readSecretFile(o.passwordFile, 'password') : await promptHidden(`Password for ${o.user}: `);
  const policy = await loadMachinePolicy();
  const cache = new StoreSession(dataDir, null);
  const auth = new AuthSession({ cache, policy: policy.effective, timers: false, client: 'cli' });
  await cache.start();
  await auth.start();
  await auth.login({ username: o.user, password, ...(o.totp ? { totp: o.totp } : {}) });
  const p = auth.principal();
  if (!p || p.permissions.length === 0) {
    await auth.logout();
    throw new AppError('MFA_REQUIRED', 'This account must set up its second factor in the app first.');
  }
  const store = cache.encrypted()!;
  return {
    store,
    dataKey: Buffer.from(cache.dataKey()!),
    close: async () => {
      await auth.logout();
    },
  };
}

/** IT's recovery key opens a store with accounts too; the login is audited as made with it (by the OS user). */
export async function openWithRecoveryKey(dataDir: string, keyFilePath: string, recoveryKey: string, accounts: boolean): Promise<CliSession> {
  const unlocked = await unlockDataKey({ keyFilePath, keyStore: null, recoveryKey, rewrapKeychain: false });
  const store = await openStoreWithDataKey({ dataDir, dataKey: unlocked.dataKey, unlockedVia: 'recovery', keyStore: null });
  if (accounts) {
    store.audit.setActors(userActorDirectory(new UserRows(store.database)));
    await flushPendingAudit(new UserWraps(keyFilePath), store.audit);
    store.audit.record({ ...loginEvent('local', { client: 'cli', method: 'recoveryKey' }), objects: [] });
  }
  return { store, dataKey: unlocked.dataKey, close: () => store.close() };
}
