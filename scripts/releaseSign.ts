// npm run release:sign -- <command> — Enclave's update repository (The Update Framework), for release
// engineers. Private keys come from files (--keys DIR) or from the environment
// (ENCLAVE_TUF_TARGETS_KEY, ENCLAVE_TUF_SNAPSHOT_KEY, ENCLAVE_TUF_TIMESTAMP_KEY: PEM text), never from
// arguments. Root keys stay offline (3 keys, any 2 sign a root); online keys sign releases.
//
//   keygen    --out DIR                       six ed25519 keys: root-1..3, targets, snapshot, timestamp (+ .pub.pem)
//   root      --keys DIR [--sign-with DIR...] [--version N] --repo REPO [--out assets/update/root.json]
//             a root naming DIR's public keys, signed by every root private key found in DIR and the
//             --sign-with folders. Rotation: version N+1 signed by 2 old root keys (--sign-with OLD) and
//             2 new ones (--keys NEW); clients follow it, and nothing signed by the new keys alone.
//   publish   --repo REPO --channel stable --platform linux-x64 --version X.Y.Z --artifact FILE [--keys DIR]
//   timestamp --repo REPO [--keys DIR]        re-sign a fresh timestamp (run daily: it expires in 1 day)
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  generateSigningKey, latestRootVersion, makeRoot, makeTimestamp, metadataJson, publish, readRepository, signingKeyFromPem,
  signMetadata, writeRoot, keyOf, type KeySet, type RoleName, type SigningKey,
} from './tufRepository';

const ONLINE: Exclude<RoleName, 'root'>[] = ['targets', 'snapshot', 'timestamp'];

export function keygen(out: string): void {
  mkdirSync(out, { recursive: true, mode: 0o700 });
  for (const name of ['root-1', 'root-2', 'root-3', ...ONLINE]) {
    const k = generateSigningKey();
    writeFileSync(path.join(out, `${name}.pem`), k.privatePem, { mode: 0o600 });
    writeFileSync(path.join(out, `${name}.pub.pem`), k.publicPem);
  }
}

const roleOf = (file: string): RoleName | null => {
  const m = /^(root|targets|snapshot|timestamp)(-\d+)?\.(pub\.)?pem$/.exec(file);
  return (m?.[1] as RoleName | undefined) ?? null;
};

/** Public keys of every role in `dir` (from .pub.pem, or derived from a private .pem). */
function publicKeys(dir: string): KeySet {
  const set: KeySet = { root: [], targets: [], snapshot: [], timestamp: [] };
  const seen = new Set<string>();
  for (const f of readdirSync(dir).sort()) {
    const role = roleOf(f);
    if (!role) continue;
    const text = readFileSync(path.join(dir, f), 'utf8');
    const k: SigningKey = f.endsWith('.pub.pem') ? { keyId: keyOf(text).keyID, publicPem: text, privatePem: '' } : { ...signingKeyFromPem(text), privatePem: '' };
    if (!seen.has(k.keyId)) set[role].push(k);
    seen.add(k.keyId);
  }
  return set;
}

/** Private keys of `role` in `dir` (root-N.pem or role.pem). */
function privateKeys(dir: string, role: RoleName): SigningKey[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().filter((f) => roleOf(f) === role && !f.endsWith('.pub.pem')).map((f) => signingKeyFromPem(readFileSync(path.join(dir, f), 'utf8')));
}

/** An online role's key: ENCLAVE_TUF_<ROLE>_KEY, else <dir>/<role>.pem. */
function onlineKey(role: Exclude<RoleName, 'root'>, dir: string | undefined): SigningKey {
  const env = process.env[`ENCLAVE_TUF_${role.toUpperCase()}_KEY`];
  if (env) return signingKeyFromPem(env);
  const keys = dir ? privateKeys(dir, role) : [];
  if (!keys[0]) throw new Error(`No ${role} key: set ENCLAVE_TUF_${role.toUpperCase()}_KEY or pass --keys DIR holding ${role}.pem.`);
  return keys[0];
}

export function signRoot(o: { keys: string; signWith?: string[]; version?: number; repo: string; out?: string }): number {
  const version = o.version ?? latestRootVersion(o.repo) + 1;
  const root = makeRoot(publicKeys(o.keys), version);
  const signers = [o.keys, ...(o.signWith ?? [])].flatMap((d) => privateKeys(d, 'root'));
  signMetadata(root, signers);
  writeRoot(o.repo, root);
  if (o.out) writeFileSync(o.out, metadataJson(root));
  return version;
}

export function publishRelease(o: { repo: string; channel: string; platform: string; version: string; artifact: string; keys?: string }): void {
  if (!/^\d+\.\d+\.\d+$/.test(o.version)) throw new Error('--version must be X.Y.Z');
  const state = readRepository(o.repo);
  const dir = `${o.channel}/${o.platform}`;
  const target = `${dir}/${path.basename(o.artifact)}`;
  const keys = Object.fromEntries(ONLINE.map((r) => [r, [onlineKey(r, o.keys)]])) as Pick<KeySet, 'targets' | 'snapshot' | 'timestamp'>;
  const next = (v: number | undefined) => (v ?? 0) + 1;
  publish({
    dir: o.repo, keys,
    artifacts: [
      { path: target, bytes: readFileSync(o.artifact), custom: { version: o.version } },
      { path: `${dir}/latest.json`, bytes: Buffer.from(JSON.stringify({ version: o.version, target })) },
    ],
    versions: { targets: next(state?.targets.signed.version), snapshot: next(state?.snapshot.signed.version), timestamp: next(state?.timestamp.signed.version) },
    // Earlier releases stay listed (their files stay), except the pointer this release replaces.
    previous: Object.values(state?.targets.signed.targets ?? {}).filter((t) => t.path !== `${dir}/latest.json`),
  });
}

export function refreshTimestamp(o: { repo: string; keys?: string }): void {
  const state = readRepository(o.repo);
  if (!state) throw new Error(`${o.repo} holds no repository.`);
  const snapshotVersion = state.snapshot.signed.version;
  const snapshotBytes = readFileSync(path.join(o.repo, 'metadata', `${snapshotVersion}.snapshot.json`));
  const ts = makeTimestamp([onlineKey('timestamp', o.keys)], state.timestamp.signed.version + 1, snapshotVersion, snapshotBytes);
  writeFileSync(path.join(o.repo, 'metadata', 'timestamp.json'), metadataJson(ts));
}

function main(argv: string[]): void {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      out: { type: 'string' }, keys: { type: 'string' }, 'sign-with': { type: 'string', multiple: true }, version: { type: 'string' },
      repo: { type: 'string' }, channel: { type: 'string', default: 'stable' }, platform: { type: 'string' }, artifact: { type: 'string' },
    },
  });
  const need = (name: keyof typeof values): string => {
    const v = values[name];
    if (typeof v !== 'string') throw new Error(`${command} needs --${name}`);
    return v;
  };
  if (command === 'keygen') {
    keygen(need('out'));
    chmodSync(need('out'), 0o700);
    console.log(`keys written to ${values.out}: move root-*.pem offline (one holder each); keep the .pub.pem files.`);
  } else if (command === 'root') {
    const v = signRoot({ keys: need('keys'), signWith: values['sign-with'] ?? [], ...(values.version ? { version: Number(values.version) } : {}), repo: need('repo'), ...(values.out ? { out: values.out } : {}) });
    console.log(`root version ${v} written${values.out ? ` (and to ${values.out})` : ''}`);
  } else if (command === 'publish') {
    publishRelease({ repo: need('repo'), channel: need('channel'), platform: need('platform'), version: need('version'), artifact: need('artifact'), ...(values.keys ? { keys: values.keys } : {}) });
    console.log(`published ${values.version} for ${values.channel}/${values.platform}`);
  } else if (command === 'timestamp') {
    refreshTimestamp({ repo: need('repo'), ...(values.keys ? { keys: values.keys } : {}) });
    console.log('timestamp refreshed');
  } else {
    console.error('usage: npm run release:sign -- keygen|root|publish|timestamp [options] (see scripts/releaseSign.ts)');
    process.exitCode = 2;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(`release:sign: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}

