// Sends the audit outbox to the policy's syslog receiver over TLS (RFC 5425), through the egress gate, in order,
// in bounded batches. A batch is marked sent once the socket has taken all of it (the write callback): RFC 5425
// has no acknowledgement, so a receiver that dies just then can lose a batch; the local trail stays authoritative
// and the receiver can check what it holds against the forwarded checkpoints. After a failure it reconnects with
// exponential backoff (appends do not cut a backoff short, so an outage never becomes a connection storm); the
// first failure of an outage is audited (the gate's Security Alert), the retries are not. An idle connection is
// closed and reopened for the next entry. Message contents are never logged; status() holds counts and words.
import type { TLSSocket } from 'node:tls';
import type { AuditService } from '../../audit/auditService';
import type { AtnaSource } from '../../audit/atnaXml';
import { EgressRefused, type EgressGate, type EgressRefusal } from '../egress';
import type { AuditOutbox, OutboxItem } from './auditOutbox';
import { SyslogCredentialError, type CredentialProblem, type SyslogCredentials } from './syslogCredentials';
import { checkpointMessage, defaultSyslogHeader, entryMessage, frame, gapMessage, type SyslogHeader } from './syslogMessage';
import type { SyslogTarget } from './syslogTarget';

export interface ForwarderTuning {
  /** Outbox rows per write. */
  batchSize: number;
  connectTimeoutMs: number;
  /** A batch the socket has not taken by then counts as a failed connection. */
  writeTimeoutMs: number;
  /** An open connection with nothing to send is closed after this long. */
  idleTimeoutMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** While idle, how often to look for entries other connections appended (an import worker's). */
  pollMs: number;
}

export const DEFAULT_FORWARDER_TUNING: ForwarderTuning = {
  batchSize: 100,
  connectTimeoutMs: 10_000,
  writeTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  backoffInitialMs: 1_000,
  backoffMaxMs: 300_000,
  pollMs: 5_000,
};

export type ForwarderProblem = EgressRefusal | CredentialProblem | 'write_failed';

export interface ForwarderStatus {
  state: 'idle' | 'sending' | 'backoff' | 'stopped';
  connected: boolean;
  /** Rows waiting in the outbox (-1 once the store is closed). */
  unsent: number;
  /** Entries left out because the outbox was full (sent as gap messages). */
  dropped: number;
  /** Messages written since this forwarder started. */
  sent: number;
  connects: number;
  /** Failures since the last successful batch. */
  failures: number;
  lastProblem: ForwarderProblem | null;
}

export interface SyslogForwarderOptions {
  gate: EgressGate;
  target: SyslogTarget;
  /** Read at each connection (a renewed certificate is picked up without a restart). */
  credentials: () => Promise<SyslogCredentials>;
  outbox: AuditOutbox;
  audit: Pick<AuditService, 'list' | 'record' | 'onAppended'>;
  tuning?: Partial<ForwarderTuning>;
  header?: SyslogHeader;
  source?: AtnaSource;
  now?: () => number;
}

export class SyslogForwarder {
  private readonly t: ForwarderTuning;
  private readonly header: SyslogHeader;
  private readonly now: () => number;
  private loop: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  private sock: TLSSocket | null = null;
  private stopping = false;
  private kicked = false;
  private wake: { resolve: () => void; kickable: boolean } | null = null;
  private outageAudited = false;
  private st: ForwarderStatus = { state: 'idle', connected: false, unsent: 0, dropped: 0, sent: 0, connects: 0, failures: 0, lastProblem: null };

  constructor(private readonly o: SyslogForwarderOptions) {
    this.t = { ...DEFAULT_FORWARDER_TUNING, ...o.tuning };
    this.header = o.header ?? defaultSyslogHeader();
    this.now = o.now ?? Date.now;
  }

  /** Starts sending what the outbox holds (rows left unsent by an earlier run first) and everything appended after. */
  start(): void {
    if (this.loop) return;
    this.unsubscribe = this.o.audit.onAppended(() => this.kick());
    this.loop = this.run();
  }

  /** Something was appended: send it now unless a backoff is running. */
  kick(): void {
    this.kicked = true;
    if (this.wake?.kickable) this.wake.resolve();
  }

  status(): ForwarderStatus {
    if (this.st.state !== 'stopped') {
      try {
        const s = this.o.outbox.stats();
        this.st.unsent = s.unsent;
        this.st.dropped = s.dropped;
      } catch {
        this.st.unsent = -1;
      }
    }
    return { ...this.st, connected: this.sock !== null };
  }

  /** Resolves true once everything appended so far has been written, false after `timeoutMs`. */
  async drained(timeoutMs: number): Promise<boolean> {
    this.kick();
    const until = this.now() + timeoutMs;
    for (;;) {
      if (this.st.state === 'idle' && !this.kicked) return true;
      if (this.st.state === 'stopped' || this.now() >= until) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Stops, after trying for up to `drainMs` to send what is waiting (the store's stop event and last checkpoint). */
  async stop(o: { drainMs?: number } = {}): Promise<void> {
    if (!this.loop || this.stopping) return;
    if (o.drainMs && this.st.state !== 'backoff') await this.drained(o.drainMs);
    this.stopping = true;
    this.unsubscribe?.();
    this.wake?.resolve();
    this.closeSocket(true);
    // A connection attempt in flight ends by its own timeout; nothing waits for it longer than this.
    await Promise.race([this.loop, new Promise((r) => setTimeout(r, 2_000).unref())]);
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let items: OutboxItem[];
      try {
        this.kicked = false;
        this.o.outbox.catchUp();
        items = this.o.outbox.next(this.t.batchSize);
      } catch {
        break; // the store closed under us
      }
      if (items.length === 0) {
        this.st.state = 'idle';
        await this.sleep(this.t.pollMs, true);
        continue;
      }
      this.st.state = 'sending';
      try {
        const bytes = Buffer.concat(items.map((i) => this.render(i)).filter((b) => b !== null));
        const sock = await this.connection();
        await this.write(sock, bytes);
        this.o.outbox.markSent(items.at(-1)!.id, new Date(this.now()).toISOString());
        this.st.sent += items.length;
        this.st.failures = 0;
        this.st.lastProblem = null;
        this.outageAudited = false;
      } catch (e) {
        this.closeSocket(false);
        if (this.stopping) break;
        this.st.failures++;
        this.st.lastProblem = e instanceof EgressRefused ? e.reason : e instanceof SyslogCredentialError ? e.problem : 'write_failed';
        this.st.state = 'backoff';
        await this.sleep(this.backoffMs(), false);
      }
    }
    this.st.state = 'stopped';
    this.closeSocket(true);
  }

  private render(item: OutboxItem): Buffer | null {
    if (item.kind === 'entry') {
      const r = this.o.audit.list(item.ref - 1, 1)[0];
      return r && r.seq === item.ref ? frame(entryMessage(r, this.header, this.o.source)) : null;
    }
    if (item.kind === 'checkpoint') {
      const c = this.o.outbox.checkpoint(item.ref);
      return c ? frame(checkpointMessage(c.note, c.time, this.header)) : null;
    }
    return frame(gapMessage(item.ref, item.refTo ?? item.ref, new Date(this.now()).toISOString(), this.header));
  }

  private async connection(): Promise<TLSSocket> {
    if (this.sock && !this.sock.destroyed && this.sock.writable) return this.sock;
    this.closeSocket(false);
    const audit = !this.outageAudited;
    this.outageAudited = true;
    let creds: SyslogCredentials;
    try {
      creds = await this.o.credentials();
    } catch (e) {
      const problem = e instanceof SyslogCredentialError ? e.problem : 'unreadable';
      if (audit) {
        this.o.audit.record({ kind: 'securityAlert', eventType: 'networkConfiguration', action: 'E', outcome: 'minorFailure', user: 'system', detail: { egressKind: 'syslog', refusal: 'credentials', problem } });
      }
      throw e;
    }
    const sock = await this.o.gate.connectTls({
      kind: 'syslog',
      host: this.o.target.host,
      port: this.o.target.port,
      ca: creds.ca,
      cert: creds.cert,
      key: creds.key,
      timeoutMs: this.t.connectTimeoutMs,
      auditFailure: audit,
    });
    if (this.stopping) {
      sock.destroy();
      throw new Error('Stopped while connecting.');
    }
    this.st.connects++;
    const gone = () => {
      if (this.sock === sock) this.sock = null;
    };
    sock.on('error', gone);
    sock.on('close', gone);
    // The receiver sends nothing; reading lets its close (a stopped rsyslog) be seen at once.
    sock.on('end', gone);
    sock.resume();
    sock.setTimeout(this.t.idleTimeoutMs, () => {
      gone();
      sock.end();
    });
    this.sock = sock;
    return sock;
  }

  private write(sock: TLSSocket, bytes: Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (e?: Error | null) => {
        clearTimeout(timer);
        sock.off('close', closed);
        if (e) reject(e);
        else resolve();
      };
      const closed = () => done(new Error('The connection closed during a write.'));
      const timer = setTimeout(() => {
        sock.destroy();
        done(new Error('The receiver did not take the batch in time.'));
      }, this.t.writeTimeoutMs);
      sock.once('close', closed);
      sock.write(bytes, (e) => done(e));
    });
  }

  private closeSocket(graceful: boolean): void {
    const s = this.sock;
    this.sock = null;
    if (!s) return;
    if (graceful) s.end();
    else s.destroy();
  }

  private backoffMs(): number {
    const base = Math.min(this.t.backoffMaxMs, this.t.backoffInitialMs * 2 ** Math.min(30, this.st.failures - 1));
    return Math.round(base * (0.8 + 0.4 * Math.random()));
  }

  /** Sleeps `ms`; stop() always wakes it, kick() only when `kickable`. */
  private sleep(ms: number, kickable: boolean): Promise<void> {
    if (this.stopping || (kickable && this.kicked)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      // Never what keeps a process alive (the CLI, tests): the store's close stops the forwarder anyway.
      const timer = setTimeout(() => finish(), ms).unref();
      const finish = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      this.wake = { resolve: finish, kickable };
    });
  }
}
