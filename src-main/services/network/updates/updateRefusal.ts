// Every way an update is refused, as its own reason (an audit detail word and a sentence for IT), mapped
// from tuf-js's typed errors and the egress gate's refusals. The threat names are The Update Framework's.
import { LengthOrHashMismatchError, UnsignedMetadataError } from '@tufjs/models/dist/error';
import { BadVersionError, DownloadHTTPError, DownloadLengthMismatchError, ExpiredMetadataError, RuntimeError } from 'tuf-js/dist/error';
import { EgressRefused } from '../egress';

export type UpdateRefusal =
  | 'policy_off'
  | 'not_https'
  | 'host_not_allowed'
  | 'network'
  | 'endless_data'
  | 'metadata_unsigned'
  | 'metadata_bad_signature'
  | 'root_rotation_unsigned'
  | 'metadata_rollback'
  | 'metadata_expired'
  | 'metadata_mix_and_match'
  | 'target_tampered'
  | 'older_version'
  | 'no_release'
  | 'artifact_changed'
  | 'update_failed';

export const REFUSAL_TEXT: Record<UpdateRefusal, string> = {
  policy_off: 'Updates are off by policy.',
  not_https: 'The update repository is not https.',
  host_not_allowed: 'The address is not the update repository the policy names.',
  network: 'The update repository cannot be reached (network or TLS failure).',
  endless_data: 'The repository sent more data than expected (endless data attack).',
  metadata_unsigned: 'Update metadata is not signed (arbitrary installation attack).',
  metadata_bad_signature: 'Update metadata is not signed by the trusted keys (arbitrary installation or key compromise).',
  root_rotation_unsigned: 'A new root of trust is not signed by enough keys of the current one (key compromise).',
  metadata_rollback: 'Update metadata is older than what this machine has already seen (rollback attack).',
  metadata_expired: 'Update metadata has expired (freeze attack).',
  metadata_mix_and_match: 'Update metadata files do not belong together (mix-and-match attack).',
  target_tampered: 'The downloaded artifact does not match its signed hash and length (tampered artifact).',
  older_version: 'The offered release is not newer than the installed one (rollback to an older version).',
  no_release: 'The repository has no release for this platform and channel.',
  artifact_changed: 'The verified artifact changed on disk before installation.',
  update_failed: 'The update failed.',
};

export class UpdateRefused extends Error {
  constructor(readonly reason: UpdateRefusal, options?: { cause?: unknown }) {
    super(REFUSAL_TEXT[reason], options);
    this.name = 'UpdateRefused';
  }
}

const GATE_REASONS: Partial<Record<EgressRefused['reason'], UpdateRefusal>> = {
  policy_off: 'policy_off',
  not_https: 'not_https',
  host_not_allowed: 'host_not_allowed',
  redirect: 'host_not_allowed',
  too_large: 'endless_data',
};

/** The repository file last asked for, what it held, and the gate's refusal of it if any. */
export interface LastFetch {
  url: string;
  bytes: Buffer | null;
  refused: EgressRefused | null;
}

/** Which refusal `e` is, knowing which file was being processed. */
export function refusalOf(e: unknown, last: LastFetch): UpdateRefusal {
  if (e instanceof UpdateRefused) return e.reason;
  // tuf-js flattens some errors into text: the gate's own refusal is taken from the fetch, not the text.
  const gateRefusal = e instanceof EgressRefused ? e : last.refused;
  if (gateRefusal && gateRefusal.reason !== 'http_status') return GATE_REASONS[gateRefusal.reason] ?? 'network';
  const lastFile = last.url;
  const lastBytes = last.bytes;
  if (e instanceof UnsignedMetadataError) {
    if (/(^|\/)\d+\.root\.json$/.test(lastFile)) return 'root_rotation_unsigned';
    return hasNoSignatures(lastBytes) ? 'metadata_unsigned' : 'metadata_bad_signature';
  }
  if (e instanceof ExpiredMetadataError) return 'metadata_expired';
  // tuf-js says "less than"/"equal to" the trusted version for a rollback, "does not match" for a mix.
  if (e instanceof BadVersionError) return /less than|equal to/.test(e.message) ? 'metadata_rollback' : 'metadata_mix_and_match';
  if (e instanceof LengthOrHashMismatchError) return /\/targets\//.test(lastFile) ? 'target_tampered' : 'metadata_mix_and_match';
  if (e instanceof DownloadLengthMismatchError) return 'endless_data';
  if (e instanceof DownloadHTTPError) return 'network';
  // Snapshot and targets failures reach us flattened into a RuntimeError's text by tuf-js: read the text.
  if (e instanceof RuntimeError) {
    const m = e.message;
    if (/is expired/.test(m)) return 'metadata_expired';
    if (/less than|equal to/.test(m)) return 'metadata_rollback';
    if (/signed by \d+\/\d+ keys|signature/.test(m)) return hasNoSignatures(lastBytes) ? 'metadata_unsigned' : 'metadata_bad_signature';
    if (/does not match|doesn't match|Expected (length|hash)/.test(m)) return 'metadata_mix_and_match';
  }
  return 'update_failed';
}

function hasNoSignatures(bytes: Buffer | null): boolean {
  try {
    const sigs = (JSON.parse(bytes?.toString('utf8') ?? '') as { signatures?: unknown[] }).signatures;
    return Array.isArray(sigs) && sigs.length === 0;
  } catch {
    return false;
  }
}
