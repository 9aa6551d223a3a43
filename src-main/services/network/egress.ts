// The one gate every outbound connection goes through (DESIGN.md section 4). It asks the enterprise
// policy whether this kind of connection to this place is allowed, refuses anything that is not TLS 1.2+
// with a verified certificate, caps time and size, counts what it lets through (the settings screen shows
// the count: 0 on a default install) and audits every refusal. With no policy it allows nothing.
import https from 'node:https';
import { isIP } from 'node:net';
import { connect as tlsConnect, rootCertificates, type TLSSocket } from 'node:tls';
import type { AuditEventInput } from '../../../src-shared/audit/auditEvents';
import { AppError } from '../../../src-shared/errors';
import type { EffectivePolicy } from '../policy/policySchema';
import { parseSyslogTarget } from './syslog/syslogTarget';

export type EgressKind = 'update' | 'pacs' | 'syslog';

export interface EgressAudit {
  record(event: AuditEventInput): unknown;
}

/** Why the gate refused, as a short machine word (audit detail and error text). */
export type EgressRefusal = 'policy_off' | 'not_https' | 'host_not_allowed' | 'redirect' | 'too_large' | 'timeout' | 'http_status' | 'tls_or_network' | 'certificate';

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

/** A TLS stream through the gate (syslog over TLS, RFC 5425): TLS 1.2+, certificate and host name verified. */
export interface EgressTlsConnect {
  kind: EgressKind;
  host: string;
  port: number;
  /** Trust only these CAs for this connection (a receiver's CA named by policy); else the gate's. */
  ca?: string[] | null;
  /** Client certificate and key (PEM) for mutual TLS. */
  cert?: string;
  key?: string;
  /** Until the handshake completes. */
  timeoutMs?: number;
  /** false: a failed connection is counted but not audited (a retry of an outage already audited once). */
  auditFailure?: boolean;
}

/** Node/OpenSSL error codes that mean the peer's certificate was not accepted. */
const CERTIFICATE_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'INVALID_CA', 'CERT_CHAIN_TOO_LONG', 'INVALID_PURPOSE',
]);

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
  const t = parseSyslogTarget(p.AuditSyslogTarget);
  return t !== null && url.hostname === t.host && url.port === String(t.port);
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

  /**
   * Opens a TLS stream to `host:port` if policy allows `kind` there: TLS 1.2 or newer only, the peer's certificate
   * checked against `ca` (or the gate's trust) and its name against `host` (an IP address against its IP SANs).
   * Resolves once the handshake is done; the caller owns the socket from then on.
   */
  connectTls(req: EgressTlsConnect): Promise<TLSSocket> {
    const audit = req.auditFailure ?? true;
    let url: URL;
    try {
      url = this.authorize(req.kind, `tls://${req.host}:${req.port}`);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    this.counts.attempts++;
    const ca = req.ca?.length ? req.ca : this.o.ca?.length ? (this.o.caOnly ? this.o.ca : [...rootCertificates, ...this.o.ca]) : undefined;
    return new Promise<TLSSocket>((resolve, reject) => {
      let settled = false;
      const socket = tlsConnect({
        host: url.hostname,
        port: Number(url.port),
        // SNI carries a host name only; the identity check below uses `host` either way.
        ...(isIP(url.hostname) ? {} : { servername: url.hostname }),
        minVersion: 'TLSv1.2',
        rejectUnauthorized: true,
        ...(ca ? { ca } : {}),
        ...(req.cert ? { cert: req.cert } : {}),
        ...(req.key ? { key: req.key } : {}),
      });
      const fail = (reason: EgressRefusal, message: string, cause?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(audit ? this.refuse(req.kind, reason, message, cause) : this.refuseQuietly(req.kind, reason, message, cause));
      };
      const timer = setTimeout(() => fail('timeout', 'The server did not complete the TLS handshake in time.'), req.timeoutMs ?? 10_000);
      socket.once('secureConnect', () => {
        if (settled) return;
        // rejectUnauthorized already refused an unverified peer; this keeps the promise if that ever changes.
        if (!socket.authorized) return fail('certificate', 'The server certificate was not verified.', socket.authorizationError);
        settled = true;
        clearTimeout(timer);
        resolve(socket);
      });
      socket.once('error', (e: NodeJS.ErrnoException) => {
        const code = e.code ?? '';
        if (CERTIFICATE_ERRORS.has(code)) fail('certificate', `The server certificate was refused (${code}).`, e);
        else fail('tls_or_network', `The connection failed: ${code || e.message}.`, e);
      });
    });
  }

  private refuse(kind: EgressKind, reason: EgressRefusal, message: string, cause?: unknown): EgressRefused {
    const refused = this.refuseQuietly(kind, reason, message, cause);
    this.o.audit?.record({
      kind: 'securityAlert',
      // A peer whose certificate fails is a failed node authentication (CID 403 110126).
      ...(reason === 'certificate' ? { eventType: 'nodeAuthentication' as const } : {}),
      action: 'E',
      outcome: 'minorFailure',
      user: 'system',
      detail: { egressKind: kind, refusal: reason },
    });
    return refused;
  }

  /** Counted and listed, not audited. */
  private refuseQuietly(kind: EgressKind, reason: EgressRefusal, message: string, cause?: unknown): EgressRefused {
    this.counts.refused++;
    this.recent.push({ kind, reason, at: Date.now() });
    if (this.recent.length > RECENT_REFUSALS) this.recent.shift();
    return new EgressRefused(reason, message, cause === undefined ? undefined : { cause });
  }
}
