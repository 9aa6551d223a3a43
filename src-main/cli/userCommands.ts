// `enclave users reset-password`: IT's way back in when an account's password is forgotten (the last administrator's
// included): the recovery key opens the store, a new password wraps the data key for that user, and the lockout is
// cleared; audited as a User Security Attributes Changed by the OS user, made with the recovery key.
import path from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../src-shared/errors';
import { dataDirLayout } from '../services/store/dataDirLayout';
import { userAttributesEvent } from '../services/users/authAudit';
import { checkPasswordLength } from '../services/users/passwordKdf';
import { UserRows } from '../services/users/userRows';
import { UserWraps } from '../services/users/userWraps';
import { readSecretFile } from './cliAuth';
import { storeOptions, withStore, type StoreOpts } from './storeCommands';

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('user accounts (IT recovery)');
  storeOptions(
    users
      .command('reset-password')
      .description("set a new password for an account with the recovery key (e.g. a forgotten administrator's)")
      .requiredOption('--account <name>', 'the user name whose password is reset')
      .requiredOption('--new-password-file <file>', 'the new password (one line, 12 to 128 characters)'),
  ).action(async (o: StoreOpts & { account: string; newPasswordFile: string }) => {
    if (!o.recoveryKeyFile) throw new AppError('INVALID_REQUEST', 'Resetting a password needs --recovery-key-file.');
    const password = await readSecretFile(o.newPasswordFile, 'new password');
    checkPasswordLength(password);
    await withStore({ ...o, user: undefined }, async ({ store, dataDir, dataKey }) => {
      const user = new UserRows(store.database).byName(o.account);
      if (!user) throw new AppError('NOT_FOUND', 'No such user.');
      await new UserWraps(dataDirLayout(path.resolve(dataDir)).keyFile).setPassword(dataKey, user.userId, user.username, password);
      store.audit.record(userAttributesEvent('local', user.userId, { op: 'passwordReset', via: 'recoveryKey', client: 'cli' }));
      process.stdout.write(`New password set for ${user.username}; failed-login lock cleared.\n`);
    });
  });
}
