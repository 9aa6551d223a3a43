// The one gate every outbound connection goes through (DESIGN.md section 4). It asks the enterprise
// policy whether this kind of connection to this place is allowed, refuses anything that is not TLS 1.2+
// with a verified certificate, caps time and size, counts what it lets through (the settings screen shows
// the count: 0 on a default install) and audits every refusal. With no policy it allows nothing.
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { AuditEventInput } from '../../../src-shared/audit/auditEvents';
import { AppError } from '../../../src-shared/errors';
import type { EffectivePolicy } from '../policy/policySchema';

export type EgressKind = 'update' | 'pacs' | 'syslog';

export interface EgressAudit {
  record(event: AuditEventInput): unknown;
}

/** Why the gate refused, as a short machine word (audit detail and error text). */
export type EgressRefusal = 'policy_off' | 'not_https' | 'host_not_allowed' | 'redirect' | 'too_large' | 'timeout' | 'http_status' | 'tls_or_network';

export class EgressRefused extends AppError {
  constructor(readonly reason: EgressRefusal, message: string, options?: { cause?: unknown; status?: number }) {
    super('PERMISSION_DENIED', message, options);
    this.status = options?.status ?? 0;
  }

  /** The HTTP status, for 'http_status'. */
  readonly status: number;
}

export interface EgressStats {
  /** Connections the gate opened since start. */
  attempts: number;
  /** Requests it refused (each one audited). */
  refused: number;
}

/** One refusal as the settings screen lists it: the kind and reason word only, never the address. */
export interface EgressRefusalRecord {
  kind: EgressKind;
  reason: EgressRefusal;
  at: number;
}

/** How many recent refusals the gate remembers for the settings screen (the audit trail has them all). */
const RECENT_REFUSALS = 5;

export interface EgressGateOptions {
  policy: () => EffectivePolicy;
  audit?: EgressAudit | null;
  /** Extra trusted CA certificates (PEM), e.g. a hospital's internal CA; the system's are trusted too unless `caOnly`. */
  ca?: string[];
  /** Trust only `ca` (tests with a throwaway CA; a pinned repository). */
  caOnly?: boolean;
}

export interface EgressGet {
  kind: EgressKind;
  url: string;
  /** The most bytes to accept: more is refused as endless data. */
  maxBytes: number;
  timeoutMs?: number;
}

/** The kinds of connection the policy allows now (shown beside the attempt count). */
export function allowedEgressKinds(p: EffectivePolicy): EgressKind[] {
  const kinds: EgressKind[] = [];
  if (p.UpdatesEnabled && p.UpdatesUrl) kinds.push('update');
  if (p.PacsNodes.length > 0) kinds.push('pacs');
  if (p.AuditSyslogTarget) kinds.push('syslog');
  return kinds;
}

function urlAllowed(kind: EgressKind, url: URL, p: EffectivePolicy): boolean {
  if (kind === 'update') {
    if (!p.UpdatesEnabled || !p.UpdatesUrl) return false;
    const base = new URL(p.UpdatesUrl);
    const prefix = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
    return url.host === base.host && (url.pathname + '/').startsWith(prefix);
  }
  if (kind === 'pacs') return p.PacsNodes.some((n) => n.host === url.hostname && String(n.port) === url.port);
  return p.AuditSyslogTarget !== null && url.host === p.AuditSyslogTarget;
}

export class EgressGate {
  private readonly counts: EgressStats = { attempts: 0, refused: 0 };
  private readonly recent: EgressRefusalRecord[] = [];

  constructor(private readonly o: EgressGateOptions) {}

  stats(): EgressStats {
    return { ...this.counts };
  }

  /** The last few refusals, oldest first. */
  recentRefusals(): EgressRefusalRecord[] {
    return this.recent.map((r) => ({ ...r }));
  }

  allowedKinds(): EgressKind[] {
    return allowedEgressKinds(this.o.policy());
  }

  /** Refuses (audited) unless `kind` to `rawUrl` is allowed now; returns the parsed URL. */
  authorize(kind: EgressKind, rawUrl: string): URL {
    const p = this.o.policy();
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw this.refuse(kind, 'host_not_allowed', 'The address is not a URL.');
    }
    if (!allowedEgressKinds(p).includes(kind)) throw this.refuse(kind, 'policy_off', `Policy does not allow ${kind} connections.`);
    if (kind === 'update' && url.protocol !== 'https:') throw this.refuse(kind, 'not_https', 'Updates are fetched over https only.');
    if (!urlAllowed(kind, url, p)) throw this.refuse(kind, 'host_not_allowed', `Policy does not allow ${kind} connections to that address.`);
    return url;
  }

  /** An https GET through the gate: TLS 1.2+, certificate and host verified, no redirects, capped in size and time. */
  async get(req: EgressGet): Promise<Buffer> {
    const url = this.authorize(req.kind, req.url);
    if (url.protocol !== 'https:') throw this.refuse(req.kind, 'not_https', 'Only https requests go through the gate.');
    this.counts.attempts++;
    const ca = this.o.ca?.length ? (this.o.caOnly ? this.o.ca : [...rootCertificates, ...this.o.ca]) : undefined;
    return new Promise<Buffer>((resolve, reject) => {
      let settled = false;
      const fail = (reason: EgressRefusal, message: string, cause?: unknown) => {
        if (settled) return;
        settled = true;
        request.destroy();
        reject(this.refuse(req.kind, reason, message, cause));
      };
      /** The server answered, just not with the file: an ordinary outcome (a TUF client probes for newer roots), not a refusal. */
      const notFound = (status: number) => {
        if (settled) return;
        settled = true;
        request.destroy();
        reject(new EgressRefused('http_status', `The server answered HTTP ${status}.`, { status }));
      };
      const request = https.get(
        url,
        { minVersion: 'TLSv1.2', rejectUnauthorized: true, ...(ca ? { ca } : {}), agent: false, timeout: req.timeoutMs ?? 30_000, headers: { 'accept-encoding': 'identity' } },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status >= 300 && status < 400) return fail('redirect', 'The server redirected: redirects are not followed.');
          if (status !== 200) return notFound(status);
          const declared = Number(res.headers['content-length'] ?? NaN);
          if (declared > req.maxBytes) return fail('too_large', `The response is larger than ${req.maxBytes} bytes.`);
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > req.maxBytes) fail('too_large', `The response is larger than ${req.maxBytes} bytes.`);
            else chunks.push(c);
          });
          res.on('end', () => {
            if (settled) return;
            settled = true;
            resolve(Buffer.concat(chunks));
          });
          res.on('error', (e) => fail('tls_or_network', 'The connection failed.', e));
        },
      );
      request.on('timeout', () => fail('timeout', 'The server did not answer in time.'));
      request.on('error', (e) => fail('tls_or_network', `The connection failed: ${(e as NodeJS.ErrnoException).code ?? e.message}.`, e));
    });
  }

  private refuse(kind: EgressKind, reason: EgressRefusal, message: string, cause?: unknown): EgressRefused {
    this.counts.refused++;
    this.recent.push({ kind, reason, at: Date.now() });
    if (this.recent.length > RECENT_REFUSALS) this.recent.shift();
    this.o.audit?.record({ kind: 'securityAlert', action: 'E', outcome: 'minorFailure', user: 'system', detail: { egressKind: kind, refusal: reason } });
    return new EgressRefused(reason, message, cause === undefined ? undefined : { cause });
  }
}
