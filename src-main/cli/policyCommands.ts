// `enclave policy check FILE` and `enclave policy show`: for IT, what a policy file does before it is
// deployed, and what applies on this machine now. Both run the loader the app runs, so the verdict
// (applied, refused for its owner or mode, malformed) is the app's own.
import type { Command } from 'commander';
import type { LoadedPolicy } from '../services/policy/effectivePolicy';
import { loadMachinePolicy } from '../services/policy/machinePolicy';
import { loadPolicyFile } from '../services/policy/policyFile';

const VERDICT: Record<LoadedPolicy['status'], string> = {
  none: 'no policy: the product defaults apply (no network access)',
  applied: 'valid: applied, its keys locked',
  refused: 'REFUSED: the file could be changed by a non-administrator; everything is locked down',
  malformed: 'INVALID: the policy does not validate; everything is locked down',
};

export function formatPolicyReport(p: LoadedPolicy): string {
  const lines = [`${p.source}: ${VERDICT[p.status]}`];
  for (const problem of p.problems) lines.push(`  problem: ${problem}`);
  lines.push('Effective settings:');
  const locked = new Set(p.locked);
  for (const [key, value] of Object.entries(p.effective)) {
    lines.push(`  ${key.padEnd(32)} ${JSON.stringify(value)}${locked.has(key as keyof typeof p.effective) ? '  (locked by policy)' : ''}`);
  }
  return lines.join('\n');
}

function report(p: LoadedPolicy, json: boolean | undefined): void {
  console.log(json ? JSON.stringify(p, null, 2) : formatPolicyReport(p));
  if (p.status === 'refused' || p.status === 'malformed') process.exitCode = 1;
}

export function registerPolicyCommands(program: Command): void {
  const policy = program.command('policy').description('enterprise policy (for IT)');
  policy
    .command('check')
    .description('validate a Linux policy file (as /etc/enclave/policy.json) and print the settings it gives; exit 1 when refused or invalid')
    .argument('<file>', 'a policy JSON file')
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts: { json?: boolean }) => report(await loadPolicyFile(file), opts.json));
  policy
    .command('show')
    .description("print this machine's policy (registry, managed preferences or /etc/enclave/policy.json) and the settings it gives")
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => report(await loadMachinePolicy(), opts.json));
}
