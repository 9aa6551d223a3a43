// Builds and signs Enclave's update repository (The Update Framework, consistent snapshots) with
// @tufjs/models. Used by `npm run release:sign` and by the update tests, which build real repositories
// (and broken ones) with the very same code. Keys are ed25519; private keys never enter the repository.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalize } from '@tufjs/canonical-json';
import { Key, Metadata, MetadataKind, MetaFile, Root, Signature, Snapshot, TargetFile, Targets, Timestamp } from '@tufjs/models';

const SPEC_VERSION = '1.0.31';

export type RoleName = 'root' | 'targets' | 'snapshot' | 'timestamp';
export const ROLES: RoleName[] = ['root', 'targets', 'snapshot', 'timestamp'];

export interface SigningKey {
  keyId: string;
  publicPem: string;
  privatePem: string;
}

export type KeySet = Record<RoleName, SigningKey[]>;

/** Offline root keys (2 of 3 must sign a new root); online roles expire fast so a frozen mirror is noticed. */
export const ROOT_THRESHOLD = 2;
export const EXPIRY_DAYS: Record<RoleName, number> = { root: 365, targets: 90, snapshot: 7, timestamp: 1 };

export function keyOf(publicPem: string): Key {
  const json = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: publicPem } };
  const keyID = createHash('sha256').update(canonicalize(json)).digest('hex');
  return new Key({ keyID, keyType: 'ed25519', scheme: 'ed25519', keyVal: { public: publicPem } });
}

export function generateSigningKey(): SigningKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { keyId: keyOf(publicPem).keyID, publicPem, privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

export function signingKeyFromPem(privatePem: string): SigningKey {
  const publicPem = createPublicKey(createPrivateKey(privatePem)).export({ type: 'spki', format: 'pem' }).toString();
  return { keyId: keyOf(publicPem).keyID, publicPem, privatePem };
}

export function generateKeySet(rootKeys = 3): KeySet {
  return { root: Array.from({ length: rootKeys }, generateSigningKey), targets: [generateSigningKey()], snapshot: [generateSigningKey()], timestamp: [generateSigningKey()] };
}

export function signMetadata(md: Metadata<Root | Targets | Snapshot | Timestamp>, keys: SigningKey[]): void {
  for (const k of keys) md.sign((data) => new Signature({ keyID: k.keyId, sig: sign(null, data, createPrivateKey(k.privatePem)).toString('hex') }), true);
}

export function expiresIn(days: number, now = Date.now()): string {
  return new Date(now + days * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A root naming `keys` (public halves) for every role; sign it with signMetadata. */
export function makeRoot(keys: KeySet, version: number, expires = expiresIn(EXPIRY_DAYS.root)): Metadata<Root> {
  const allKeys = Object.fromEntries(ROLES.flatMap((r) => keys[r].map((k) => [k.keyId, keyOf(k.publicPem).toJSON()])));
  const roles = Object.fromEntries(ROLES.map((r) => [r, { keyids: keys[r].map((k) => k.keyId), threshold: r === 'root' ? Math.min(ROOT_THRESHOLD, keys.root.length) : 1 }]));
  const json = { _type: 'root', spec_version: SPEC_VERSION, version, expires, consistent_snapshot: true, keys: allKeys, roles };
  return new Metadata(Root.fromJSON(json));
}

export const metadataJson = (md: Metadata<Root | Targets | Snapshot | Timestamp>): string => JSON.stringify(md.toJSON());

export interface ReleaseArtifact {
  /** Repository path, e.g. stable/linux-x64/Enclave-1.2.0.AppImage. */
  path: string;
  bytes: Uint8Array;
  custom?: Record<string, string | number>;
}

export interface PublishOptions {
  dir: string;
  keys: Pick<KeySet, 'targets' | 'snapshot' | 'timestamp'>;
  artifacts: ReleaseArtifact[];
  versions: { targets: number; snapshot: number; timestamp: number };
  expires?: Partial<Record<'targets' | 'snapshot' | 'timestamp', string>>;
  /** Targets already published, carried into the new targets metadata. */
  previous?: TargetFile[];
}

/**
 * Writes the artifacts (as <sha256>.<name>) and new targets, snapshot and timestamp metadata.
 * Layout: <dir>/metadata/{N.root.json, N.targets.json, N.snapshot.json, timestamp.json}, <dir>/targets/.
 */
export function publish(o: PublishOptions): { targets: Metadata<Targets>; snapshot: Metadata<Snapshot>; timestamp: Metadata<Timestamp> } {
  const meta = path.join(o.dir, 'metadata');
  mkdirSync(meta, { recursive: true });
  const targets = new Targets({ specVersion: SPEC_VERSION, version: o.versions.targets, expires: o.expires?.targets ?? expiresIn(EXPIRY_DAYS.targets) });
  for (const t of o.previous ?? []) targets.addTarget(t);
  for (const a of o.artifacts) {
    const sha256 = createHash('sha256').update(a.bytes).digest('hex');
    targets.addTarget(new TargetFile({ path: a.path, length: a.bytes.length, hashes: { sha256 }, unrecognizedFields: a.custom ? { custom: a.custom } : {} }));
    const { dir, base } = path.posix.parse(a.path);
    const file = path.join(o.dir, 'targets', dir, `${sha256}.${base}`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, a.bytes);
  }
  const targetsMd = new Metadata(targets);
  signMetadata(targetsMd, o.keys.targets);
  writeFileSync(path.join(meta, `${o.versions.targets}.targets.json`), metadataJson(targetsMd));

  const snapshotMd = new Metadata(new Snapshot({ specVersion: SPEC_VERSION, version: o.versions.snapshot, expires: o.expires?.snapshot ?? expiresIn(EXPIRY_DAYS.snapshot), meta: { 'targets.json': new MetaFile({ version: o.versions.targets }) } }));
  signMetadata(snapshotMd, o.keys.snapshot);
  const snapshotJson = metadataJson(snapshotMd);
  writeFileSync(path.join(meta, `${o.versions.snapshot}.snapshot.json`), snapshotJson);

  const timestampMd = makeTimestamp(o.keys.timestamp, o.versions.timestamp, o.versions.snapshot, Buffer.from(snapshotJson), o.expires?.timestamp);
  writeFileSync(path.join(meta, 'timestamp.json'), metadataJson(timestampMd));
  return { targets: targetsMd, snapshot: snapshotMd, timestamp: timestampMd };
}

export function makeTimestamp(keys: SigningKey[], version: number, snapshotVersion: number, snapshotBytes: Buffer, expires = expiresIn(EXPIRY_DAYS.timestamp)): Metadata<Timestamp> {
  const snapshotMeta = new MetaFile({ version: snapshotVersion, length: snapshotBytes.length, hashes: { sha256: createHash('sha256').update(snapshotBytes).digest('hex') } });
  const md = new Metadata(new Timestamp({ specVersion: SPEC_VERSION, version, expires, snapshotMeta }));
  signMetadata(md, keys);
  return md;
}

export function writeRoot(dir: string, root: Metadata<Root>): void {
  const meta = path.join(dir, 'metadata');
  mkdirSync(meta, { recursive: true });
  writeFileSync(path.join(meta, `${root.signed.version}.root.json`), metadataJson(root));
}

/** The newest root version in the repository (0 when it has none yet). */
export function latestRootVersion(dir: string): number {
  const meta = path.join(dir, 'metadata');
  if (!existsSync(meta)) return 0;
  return Math.max(0, ...readdirSync(meta).map((f) => /^(\d+)\.root\.json$/.exec(f)?.[1]).filter((v): v is string => !!v).map(Number));
}

/** The repository's current state, read back from its files (release:sign continues from it). */
export function readRepository(dir: string): { timestamp: Metadata<Timestamp>; snapshot: Metadata<Snapshot>; targets: Metadata<Targets> } | null {
  const meta = path.join(dir, 'metadata');
  if (!existsSync(path.join(meta, 'timestamp.json'))) return null;
  const load = (f: string) => JSON.parse(readFileSync(path.join(meta, f), 'utf8'));
  const timestamp = Metadata.fromJSON(MetadataKind.Timestamp, load('timestamp.json'));
  const snapshot = Metadata.fromJSON(MetadataKind.Snapshot, load(`${timestamp.signed.snapshotMeta.version}.snapshot.json`));
  const targets = Metadata.fromJSON(MetadataKind.Targets, load(`${snapshot.signed.meta['targets.json']!.version}.targets.json`));
  return { timestamp, snapshot, targets };
}

