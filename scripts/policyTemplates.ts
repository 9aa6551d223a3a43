// npm run policy:templates — writes the ADMX/ADML and the example configuration profile from the schema.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_ID } from '../src-main/services/policy/machinePolicy';
import { adml, admx, EXAMPLE_POLICY, mobileconfig } from '../src-main/services/policy/policyTemplates';

export const POLICY_TEMPLATE_DIR = fileURLToPath(new URL('../assets/policy', import.meta.url));

export function policyTemplateFiles(): Record<string, string> {
  return {
    'enclave.admx': admx(),
    'en-US/enclave.adml': adml(),
    [`${APP_ID}.mobileconfig`]: mobileconfig(APP_ID),
    'policy.example.json': `${JSON.stringify(EXAMPLE_POLICY, null, 2)}\n`,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const [name, text] of Object.entries(policyTemplateFiles())) {
    const file = path.join(POLICY_TEMPLATE_DIR, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  }
}
