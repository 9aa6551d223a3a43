// Bearer auth as IT sets it up: `enclave pacs set-secret --node NAME` reads the token from standard input into the
// real OS keychain (gnome-keyring's Secret Service in its own dbus-run-session and HOME), and the CLI then retrieves
// through nginx (TLS, the node's own CA) that lets a request through to Orthanc only with `Authorization: Bearer
// <token>`. No token in the keychain, or the wrong one, is a clear error that never prints the token.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../import/fixtures/importFixtures';
import { makeThrowawayCa } from '../network/loopbackHttps';
import { startNginxTls, type NginxTls } from '../network/pacs/nginxTls';
import { startOrthanc, type OrthancServer } from '../network/pacs/orthancServer';
import { JPEG_2000, JPEG_LS, NM_STUDY } from '../network/pacs/pacsFixture';
import { buildCli, isolatedEnv, type BuiltCli } from './fixtures/cliBuild';

const TOKEN = randomBytes(24).toString('base64url');
const WRONG = randomBytes(24).toString('base64url');
const ACCOUNT = 'pacs-bearer-test';

let cli: BuiltCli;
let orthanc: OrthancServer;
let nginx: NginxTls;
let root: string;
let env: Record<string, string>;
let policy: string;

beforeAll(async () => {
  for (const tool of ['dbus-run-session', 'gnome-keyring-daemon', 'secret-tool', 'nginx']) {
    expect(spawnSync('sh', ['-c', `command -v ${tool}`]).status, `${tool} is required (apt: dbus-daemon gnome-keyring libsecret-tools nginx-light)`).toBe(0);
  }
  const ca = makeThrowawayCa();
  [cli, orthanc] = await Promise.all([buildCli(), startOrthanc()]);
  for (const f of [JPEG_LS, JPEG_2000]) await orthanc.upload(f);
  nginx = await startNginxTls({ upstreamPort: orthanc.httpPort, ca, bearer: TOKEN });
  root = tempDir('pacs-bearer');
  const home = path.join(root, 'home');
  mkdirSync(path.join(home, 'run'), { recursive: true, mode: 0o700 });
  mkdirSync(path.join(root, 'tmp'));
  env = isolatedEnv(home, path.join(root, 'tmp'), {
    XDG_RUNTIME_DIR: path.join(home, 'run'),
    XDG_DATA_HOME: path.join(home, 'data'),
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_CACHE_HOME: path.join(home, 'cache'),
    ENCLAVE_DATA_DIR: path.join(root, 'store'),
  });
  policy = path.join(root, 'policy.json');
  const node = { name: 'Bearer', tls: true, dicomweb: { url: nginx.dicomwebUrl, auth: { type: 'bearer', secretKey: ACCOUNT } }, caPem: ca.caPem };
  writeFileSync(policy, JSON.stringify({ PacsNodes: [node] }), { mode: 0o644 });
}, 120_000);
afterAll(async () => {
  cli?.cleanup();
  await nginx?.stop();
  await orthanc?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

interface Step {
  args: string[];
  /** Written to the command's standard input (from a file: set-secret reads stdin to its end). */
  stdin?: string;
  /** Not the CLI: another program in the same session (secret-tool). */
  program?: string;
}

/** Runs the steps in one login session with the keyring unlocked; each step's status, stdout and stderr. */
function session(steps: Step[]): { status: number; stdout: string; stderr: string }[] {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = steps
    .map((step, i) => {
      const file = (what: string) => q(path.join(root, `${what}${i}`));
      let input = '</dev/null';
      if (step.stdin !== undefined) {
        writeFileSync(path.join(root, `in${i}`), step.stdin, { mode: 0o600 });
        input = `<${file('in')}`;
      }
      const command = step.program ? [step.program, ...step.args] : [process.execPath, cli.cli, ...step.args];
      return `${command.map(q).join(' ')} ${input} >${file('out')} 2>${file('err')}; echo $? >${file('rc')}`;
    })
    .join('; ');
  const r = spawnSync('dbus-run-session', ['--', 'sh', '-c', `echo -n PASS | gnome-keyring-daemon --unlock --components=secrets >/dev/null; ${script}`], { env, encoding: 'utf8', timeout: 180_000 });
  expect(r.status, r.stderr).toBe(0);
  return steps.map((_, i) => ({
    status: Number(readFileSync(path.join(root, `rc${i}`), 'utf8').trim()),
    stdout: readFileSync(path.join(root, `out${i}`), 'utf8'),
    stderr: readFileSync(path.join(root, `err${i}`), 'utf8'),
  }));
}

describe('enclave pacs with a bearer token in the OS keychain', () => {
  it('no token: a clear error; the wrong token: refused by the server; the right one (set-secret) retrieves', () => {
    const at = ['--node', 'Bearer', '--policy-file', policy];
    const rk = path.join(root, 'recovery.key');
    const [none, setWrong, wrong, setRight, stored, echo, init, retrieved, empty] = session([
      { args: ['pacs', 'echo', ...at] },
      { args: ['pacs', 'set-secret', ...at], stdin: `${WRONG}\n` },
      { args: ['pacs', 'echo', ...at] },
      { args: ['pacs', 'set-secret', ...at], stdin: `${TOKEN}\n` },
      // What the keychain holds, read by another Secret Service client: the token, under the account policy names.
      { program: 'secret-tool', args: ['lookup', 'service', 'Enclave PACS', 'account', ACCOUNT] },
      { args: ['pacs', 'echo', ...at] },
      { args: ['init', '--recovery-key-out', rk] },
      { args: ['pacs', 'retrieve', ...at, '--study', NM_STUDY, '--json'] },
      { args: ['pacs', 'set-secret', ...at], stdin: '' },
    ]);

    expect(none!.status).toBe(1);
    expect(none!.stderr).toContain(`No secret for PACS node "Bearer" in the keychain (account "${ACCOUNT}")`);

    expect(setWrong!.status, setWrong!.stderr).toBe(0);
    expect(setWrong!.stdout).toBe(`Stored the secret for "Bearer" in the keychain (service "Enclave PACS", account "${ACCOUNT}").\n`);
    expect(wrong!.status).toBe(1);
    expect(wrong!.stderr).toContain('PACS node "Bearer" refused the credentials (HTTP 401)');

    expect(setRight!.status, setRight!.stderr).toBe(0);
    expect(stored!.status, stored!.stderr).toBe(0);
    expect(stored!.stdout).toBe(TOKEN); // the trailing newline typed after it is not part of the secret
    expect(echo!.status, echo!.stderr).toBe(0);
    expect(echo!.stdout).toMatch(/^Bearer: answered over dicomweb in \d+ ms\.$/m);

    expect(init!.status, init!.stderr).toBe(0);
    expect(retrieved!.status, retrieved!.stderr).toBe(0);
    expect(JSON.parse(retrieved!.stdout)).toMatchObject({ added: 2, conflicts: 0, cancelled: false });

    expect(empty!.status).toBe(1);
    expect(empty!.stderr).toContain('No secret on standard input.');

    // Neither token ever appears in what the CLI printed (errors included).
    for (const r of [none, setWrong, wrong, setRight, echo, init, retrieved, empty]) {
      expect(r!.stdout + r!.stderr).not.toContain(TOKEN);
      expect(r!.stdout + r!.stderr).not.toContain(WRONG);
    }
  });
});
