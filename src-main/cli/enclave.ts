// `enclave` — the command line over the same services the app uses.
// Each command group lives in its own module and registers itself here with one line.
import { Command } from 'commander';
import { isAppError } from '../../src-shared/errors';
import { registerEngineCommands } from './engineCommands';
import { registerStoreCommands } from './storeCommands';
import { anonymizeCommand } from './anonymize';
import { registerPolicyCommands } from './policyCommands';
import { registerAuditCommands } from './auditCommands';
import { registerUserCommands } from './userCommands';
import { registerPacsCommands } from './pacsCommands';

const program = new Command('enclave')
  .description('Enclave: a private DICOM viewer — command line')
  .version(process.env['npm_package_version'] ?? '0.1.0')
  .showHelpAfterError();

// Command registrations (one line per module):
registerEngineCommands(program);
registerStoreCommands(program);
program.addCommand(anonymizeCommand());
registerPolicyCommands(program);
registerAuditCommands(program);
registerUserCommands(program);
registerPacsCommands(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  // Typed errors print their code and message; never a stack with file contents or identifiers.
  if (isAppError(e)) console.error(`enclave: ${e.code}: ${e.message}`);
  else console.error(`enclave: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
