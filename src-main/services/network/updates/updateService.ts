// Opt-in updates verified with The Update Framework (tuf-js): off unless policy turns them on, fetched only
// through the egress gate, trusting only Enclave's root metadata (assets/update/root.json, offline keys,
// threshold 2) and whatever roots it has signed since. The repository names the newest release per channel
// and platform in a signed `latest.json` target; an artifact is accepted only when its hash and length
// match its signed target entry, it is newer than what is installed, and it still matches just before
// install. Every check, download, install and refusal is an audit event.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Updater, type TargetFile } from 'tuf-js';
import { z } from 'zod';
import type { AuditOutcome } from '../../../../src-shared/audit/auditEvents';
import type { EffectivePolicy } from '../../policy/policySchema';
import type { EgressAudit, EgressGate } from '../egress';
import { EgressFetcher } from './egressFetcher';
import { refusalOf, UpdateRefused, type UpdateRefusal } from './updateRefusal';

/** How this copy was installed: MSI and deb installs are updated by IT and the package manager, never by the app. */
export type InstallKind = 'nsis' | 'dmg' | 'appimage' | 'msi' | 'deb' | 'dev';
const MANAGED_BY_IT: InstallKind[] = ['msi', 'deb'];

export interface UpdateServiceOptions {
  gate: EgressGate;
  policy: () => EffectivePolicy;
  audit?: EgressAudit | null;
  /** Enclave's trust root as shipped (assets/update/root.json). */
  trustedRoot: Uint8Array;
  /** Where trusted metadata and verified downloads are kept (the app's data folder). */
  stateDir: string;
  currentVersion: string;
  /** e.g. linux-x64, win32-x64, darwin-arm64. */
  platform: string;
  installKind: InstallKind;
  /** The largest artifact accepted, whatever the metadata says (endless data). */
  maxArtifactBytes?: number;
}

export type UpdateCheck =
  | { status: 'off' }
  | { status: 'managed' }
  | { status: 'current'; version: string }
  | { status: 'available'; version: string; target: string; length: number };

export interface VerifiedUpdate {
  version: string;
  file: string;
  sha256: string;
  length: number;
}

const latestSchema = z.strictObject({ version: z.string().regex(/^\d+\.\d+\.\d+$/), target: z.string().regex(/^[A-Za-z0-9._/-]{1,200}$/) });

/** Semantic version order on x.y.z (pre-releases are not published to channels). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

export class UpdateService {
  private readonly maxArtifactBytes: number;
  /** The fetcher of the running step: which file failed decides a refusal's reason. */
  private fetcher: EgressFetcher | null = null;
  /** The fetcher of the running step: which file failed decides a refusal's reason. */
  constructor(private readonly o: UpdateServiceOptions) {
    this.maxArtifactBytes = o.maxArtifactBytes ?? 1 << 30;
  }

  private enabled(): boolean {
    const p = this.o.policy();
    return p.UpdatesEnabled && p.UpdatesUrl !== null;
  }

  /** Asks the repository for the newest release: no connection at all when policy keeps updates off. */
  async check(): Promise<UpdateCheck> {
    if (MANAGED_BY_IT.includes(this.o.installKind)) return { status: 'managed' };
    if (!this.enabled()) return { status: 'off' };
    return this.audited('check', async () => {
      const { updater } = this.updater();
      const found = await this.latest(updater);
      if (!found) return { status: 'current', version: this.o.currentVersion };
      return { status: 'available', version: found.version, target: found.info.path, length: found.info.length };
    });
  }

  /** Downloads the newest release and verifies it against its signed target entry. */
  async download(): Promise<VerifiedUpdate> {
    if (MANAGED_BY_IT.includes(this.o.installKind) || !this.enabled()) throw this.refused('download', 'policy_off');
    return this.audited('download', async () => {
      const { updater, downloads } = this.updater();
      const found = await this.latest(updater);
      if (!found) throw new UpdateRefused('older_version');
      const file = await updater.downloadTarget(found.info, path.join(downloads, path.posix.basename(found.info.path)));
      return { version: found.version, file, sha256: found.info.hashes['sha256']!, length: found.info.length };
    });
  }

  /**
   * Checks the artifact once more just before it is handed to the installer (it sat on disk since the
   * download), then runs `launch`, which starts the platform's installer step on exactly that file.
   */
  async install(u: VerifiedUpdate, launch: (file: string) => Promise<void>): Promise<void> {
    if (!this.enabled()) throw this.refused('install', 'policy_off');
    await this.audited('install', async () => {
      const bytes = await readFile(u.file);
      if (bytes.length !== u.length || createHash('sha256').update(bytes).digest('hex') !== u.sha256) throw new UpdateRefused('artifact_changed');
      if (compareVersions(u.version, this.o.currentVersion) <= 0) throw new UpdateRefused('older_version');
      await launch(u.file);
    });
  }

  private updater(): { updater: Updater; downloads: string } {
    const base = this.o.policy().UpdatesUrl!.replace(/\/?$/, '/');
    const metadataDir = path.join(this.o.stateDir, 'metadata');
    const downloads = path.join(this.o.stateDir, 'downloads');
    for (const d of [metadataDir, downloads]) mkdirSync(d, { recursive: true, mode: 0o700 });
    // The shipped root starts the chain only once; afterwards the newest trusted root on disk does.
    if (!existsSync(path.join(metadataDir, 'root.json'))) writeFileSync(path.join(metadataDir, 'root.json'), this.o.trustedRoot);
    this.fetcher = new EgressFetcher(this.o.gate, downloads);
    const updater = new Updater({
      metadataDir,
      metadataBaseUrl: `${base}metadata`,
      targetBaseUrl: `${base}targets/`,
      fetcher: this.fetcher,
      config: { maxRootRotations: 32, timestampMaxLength: 16_384, snapshotMaxLength: 1 << 20, targetsMaxLength: 8 << 20, rootMaxLength: 512 << 10 },
    });
    return { updater, downloads };
  }

  /** The signed `latest.json` of this channel and platform, and its artifact's signed entry; null when not newer. */
  private async latest(updater: Updater): Promise<{ version: string; info: TargetFile } | null> {
    await updater.refresh();
    const dir = `${this.o.policy().UpdatesChannel}/${this.o.platform}`;
    const pointerInfo = await updater.getTargetInfo(`${dir}/latest.json`);
    if (!pointerInfo) throw new UpdateRefused('no_release');
    if (pointerInfo.length > 16_384) throw new UpdateRefused('endless_data');
    const pointerFile = await updater.downloadTarget(pointerInfo, path.join(this.o.stateDir, 'downloads', 'latest.json'));
    const pointer = latestSchema.safeParse(JSON.parse(readFileSync(pointerFile, 'utf8')));
    if (!pointer.success || !pointer.data.target.startsWith(`${dir}/`)) throw new UpdateRefused('update_failed');
    if (compareVersions(pointer.data.version, this.o.currentVersion) <= 0) {
      if (compareVersions(pointer.data.version, this.o.currentVersion) < 0) throw new UpdateRefused('older_version');
      return null;
    }
    const info = await updater.getTargetInfo(pointer.data.target);
    if (!info) throw new UpdateRefused('no_release');
    if (info.length > this.maxArtifactBytes) throw new UpdateRefused('endless_data');
    return { version: pointer.data.version, info };
  }

  private async audited<T>(step: 'check' | 'download' | 'install', run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      this.record(step, 'success', { updateStep: step });
      return result;
    } catch (e) {
      const reason: UpdateRefusal = refusalOf(e, this.fetcher?.last ?? { url: '', bytes: null, refused: null });
      throw this.refused(step, reason, e);
    }
  }

  private refused(step: string, reason: UpdateRefusal, cause?: unknown): UpdateRefused {
    this.record(step, reason === 'network' || reason === 'no_release' ? 'minorFailure' : 'seriousFailure', { updateStep: step, updateRefusal: reason });
    return new UpdateRefused(reason, cause === undefined ? undefined : { cause });
  }

  private record(step: string, outcome: AuditOutcome, detail: Record<string, string>): void {
    this.o.audit?.record({ kind: outcome === 'success' ? 'applicationActivity' : 'securityAlert', action: step === 'install' ? 'U' : 'E', outcome, user: 'system', detail });
  }
}
