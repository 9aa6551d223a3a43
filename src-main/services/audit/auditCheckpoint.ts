// Checkpoints of the audit chain as C2SP signed notes (https://c2sp.org/signed-note, https://c2sp.org/tlog-checkpoint):
//   <origin>\n<size>\n<base64 head hash>\ntime <ISO 8601>\n\n— <origin> <base64(key id (4) || Ed25519 signature (64))>\n
// The head hash is the chain hash of entry <size> (a hash chain, not a Merkle tree: the form is the checkpoint's,
// the proof is re-hashing the chain). Key id = SHA-256(name || 0x0A || 0x01 || public key)[0..4], as C2SP says
// for Ed25519. Parsing is strict: anything that is not exactly this shape is refused, never half-read.
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export interface Checkpoint {
  origin: string;
  size: number;
  head: Buffer;
  /** ISO 8601 UTC, when it was signed. */
  time: string;
}

const ORIGIN = /^[A-Za-z0-9._/-]{1,100}$/;
const ED25519_ALG = 0x01;

export function keyId(name: string, publicKey: Buffer): Buffer {
  return createHash('sha256')
    .update(Buffer.concat([Buffer.from(name, 'utf8'), Buffer.from([0x0a, ED25519_ALG]), publicKey]))
    .digest()
    .subarray(0, 4);
}

/** The raw 32-byte Ed25519 public key of a key object. */
export function rawPublicKey(key: KeyObject): Buffer {
  const der = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - 32));
}

/** The origin line a key signs under: names the trail by its key, so two stores never share one. */
export function originOf(publicKey: Buffer): string {
  return `enclave.local/audit/${createHash('sha256').update(publicKey).digest('hex').slice(0, 16)}`;
}

function body(c: Checkpoint): string {
  return `${c.origin}\n${c.size}\n${c.head.toString('base64')}\ntime ${c.time}\n`;
}

export function signCheckpoint(c: Checkpoint, privateKey: KeyObject): string {
  const text = body(c);
  const pub = rawPublicKey(privateKey);
  const sig = sign(null, Buffer.from(text, 'utf8'), privateKey);
  return `${text}\n\u2014 ${c.origin} ${Buffer.concat([keyId(c.origin, pub), sig]).toString('base64')}\n`;
}

export type ParsedNote = { ok: true; checkpoint: Checkpoint } | { ok: false; problem: string };

/** Parses and checks the signature against `publicKey` (raw 32 bytes). */
export function openCheckpoint(note: string, publicKey: Buffer): ParsedNote {
  if (note.length > 4096) return { ok: false, problem: 'checkpoint too long' };
  const split = note.indexOf('\n\n');
  if (split < 0) return { ok: false, problem: 'not a signed note' };
  const text = note.slice(0, split + 1);
  const lines = text.slice(0, -1).split('\n');
  if (lines.length !== 4) return { ok: false, problem: 'checkpoint body has the wrong number of lines' };
  const [origin, sizeText, headText, timeLine] = lines as [string, string, string, string];
  if (!ORIGIN.test(origin)) return { ok: false, problem: 'bad origin line' };
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText)) return { ok: false, problem: 'bad size line' };
  const head = Buffer.from(headText, 'base64');
  if (head.length !== 32 || head.toString('base64') !== headText) return { ok: false, problem: 'bad head hash line' };
  const time = /^time (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)$/.exec(timeLine)?.[1];
  if (!time) return { ok: false, problem: 'bad time line' };
  const sigLines = note.slice(split + 2).split('\n');
  if (sigLines.at(-1) !== '') return { ok: false, problem: 'signature lines must end with a newline' };
  const want = keyId(origin, publicKey);
  for (const line of sigLines.slice(0, -1)) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m) return { ok: false, problem: 'bad signature line' };
    const blob = Buffer.from(m[2]!, 'base64');
    if (m[1] !== origin || blob.length !== 68 || !blob.subarray(0, 4).equals(want)) continue;
    const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    if (verify(null, Buffer.from(text, 'utf8'), key, blob.subarray(4))) {
      return { ok: true, checkpoint: { origin, size: Number(sizeText), head, time } };
    }
    return { ok: false, problem: 'signature does not verify' };
  }
  return { ok: false, problem: 'not signed by this trail’s key' };
}

/** DER SubjectPublicKeyInfo prefix of an Ed25519 key (RFC 8410), followed by the 32 raw bytes. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
