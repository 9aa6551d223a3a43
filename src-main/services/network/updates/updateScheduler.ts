// When updates happen, as policy says: nothing at all unless UpdatesEnabled; then a check at start-up and
// every few hours; a download only with UpdatesAutoDownload; an install at quit only with
// UpdatesAutoInstallOnQuit. Without those two the app only tells the user a release is available.
import type { EffectivePolicy } from '../../policy/policySchema';
import { UpdateRefused, type UpdateRefusal } from './updateRefusal';
import type { UpdateCheck, UpdateService, VerifiedUpdate } from './updateService';

export const CHECK_INTERVAL_MS = 6 * 3600_000;

export class UpdateScheduler {
  private timer: ReturnType<typeof setInterval> | null = null;
  /** The last check's answer, for the settings screen. */
  lastCheck: UpdateCheck | null = null;
  /** When the last check ran (ms since the epoch), and why it was refused if it was. */
  lastCheckAt: number | null = null;
  lastRefusal: UpdateRefusal | null = null;
  /** A downloaded, verified release waiting for installation. */
  pending: VerifiedUpdate | null = null;

  constructor(private readonly updates: UpdateService, private readonly policy: () => EffectivePolicy) {}

  /** Starts the schedule; does nothing (no timer, no connection) when policy keeps updates off. */
  start(): void {
    if (!this.policy().UpdatesEnabled || this.timer) return;
    void this.tick().catch(() => undefined);
    this.timer = setInterval(() => void this.tick().catch(() => undefined), CHECK_INTERVAL_MS);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One round: check, and download when policy allows it. Refusals are audited by the service. */
  async tick(): Promise<UpdateCheck> {
    this.lastCheckAt = Date.now();
    this.lastRefusal = null;
    try {
      this.lastCheck = await this.updates.check();
    } catch (e) {
      this.lastCheck = null;
      this.lastRefusal = e instanceof UpdateRefused ? e.reason : 'update_failed';
      throw e;
    }
    if (this.lastCheck.status === 'available' && this.policy().UpdatesAutoDownload && this.pending?.version !== this.lastCheck.version) {
      this.pending = await this.updates.download();
    }
    return this.lastCheck;
  }

  /** The update to install as the app quits, if policy allows installing without asking. */
  installOnQuit(): VerifiedUpdate | null {
    return this.policy().UpdatesAutoInstallOnQuit ? this.pending : null;
  }
}
