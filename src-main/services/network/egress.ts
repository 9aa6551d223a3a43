// The one gate every outbound connection goes through (DESIGN.md section 4). It asks the enterprise
// policy whether this kind of connection to this place is allowed, refuses anything that is not TLS 1.2+
// with a verified certificate, caps time and size, counts what it lets through (the settings screen shows
// the count: 0 on a default install) and audits every refusal. With no policy it allows nothing.
import { createHash, X509Certificate } from 'node:crypto';
import https from 'node:https';
import { isIP } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, rootCertificates, type ConnectionOptions, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { AuditEventInput } from '../../../src-shared/audit/auditEvents';
import { AppError } from '../../../src-shared/errors';
import type { EffectivePolicy, PacsNode } from '../policy/policySchema';
import { parseSyslogTarget } from './syslog/syslogTarget';

export type EgressKind = 'update' | 'pacs' | 'syslog';

export interface EgressAudit {
  record(event: AuditEventInput): unknown;
}

/** Why the gate refused, as a short machine word (audit detail and error text). */
export type EgressRefusal =
  | 'policy_off'
  | 'not_https'
  | 'host_not_allowed'
  | 'redirect'
  | 'too_large'
  | 'timeout'
  | 'http_status'
  | 'tls_or_network'
  /** The certificate did not verify (unknown CA, wrong host, expired). */
  | 'certificate'
  /** The certificate verified but its public key is not the one policy pins. */
  | 'pin_mismatch'
  /** The server offers only TLS older than 1.2. */
  | 'tls_version';

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

/** Whether `url` is one of the node's own endpoints: under its DICOMweb base, or its DIMSE host and port (dicom: / dicom-tls:). */
export function pacsNodeAllows(n: PacsNode, url: URL): boolean {
  if (url.username || url.password) return false;
  if ((url.protocol === 'https:' || url.protocol === 'http:') && n.dicomweb) {
    const base = new URL(n.dicomweb.url);
    const prefix = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
    // Plain http only to this machine, whatever the node says (policy validation refuses it too).
    if (url.protocol === 'http:' && url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') return false;
    return url.protocol === base.protocol && url.host === base.host && (url.pathname + '/').startsWith(prefix);
  }
  if ((url.protocol === 'dicom:' || url.protocol === 'dicom-tls:') && n.host !== undefined) {
    return url.hostname === n.host && url.port === String(n.port) && (url.protocol === 'dicom-tls:') === n.tls;
  }
  return false;
}

/** TLS for one connection: 1.2 or newer, chain and host verified, the node's CA instead of the system's when given, its SPKI pin when given. */
export interface EgressTls {
  caPem?: string;
  /** base64 SHA-256 of the server's SubjectPublicKeyInfo. */
  spkiSha256?: string;
}

const PIN_MISMATCH = 'ERR_ENCLAVE_PIN_MISMATCH';

export function egressTlsOptions(t: EgressTls, gateCa?: { ca?: string[]; caOnly?: boolean }): ConnectionOptions {
  const extra = gateCa?.ca?.length ? (gateCa.caOnly ? gateCa.ca : [...rootCertificates, ...gateCa.ca]) : undefined;
  const ca = t.caPem ? [t.caPem] : extra;
  return {
    minVersion: 'TLSv1.2',
    rejectUnauthorized: true,
    ...(ca ? { ca } : {}),
    checkServerIdentity: (host: string, cert: PeerCertificate) => {
      const wrongHost = checkServerIdentity(host, cert);
      if (wrongHost) return wrongHost;
      if (t.spkiSha256 && spkiSha256(cert) !== t.spkiSha256) {
        return Object.assign(new Error('The server key is not the pinned one.'), { code: PIN_MISMATCH });
      }
      return undefined;
    },
  };
}

/** base64 SHA-256 of the certificate's DER SubjectPublicKeyInfo (what `openssl ... | openssl dgst -sha256 -binary | base64` pins). */
function spkiSha256(cert: PeerCertificate): string | null {
  if (!cert.raw) return null;
  return createHash('sha256').update(new X509Certificate(cert.raw).publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
}

const CERT_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|HOSTNAME|ISSUER|SIGNATURE/;
const VERSION_ERRORS = /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS|WRONG_VERSION|VERSION_TOO_LOW/;

/** What a failed TLS/TCP connection means, as a refusal word (a refused certificate is a security alert). */
export function connectionRefusal(e: unknown): EgressRefusal {
  const code = String((e as { code?: unknown }).code ?? '');
  if (code === PIN_MISMATCH) return 'pin_mismatch';
  // OpenSSL reports a version refusal as a bare EPROTO: its reason is only in the message.
  const message = e instanceof Error ? e.message : '';
  if (VERSION_ERRORS.test(code) || (code === 'EPROTO' && /protocol version|unsupported protocol|wrong version number|no protocols available/i.test(message))) return 'tls_version';
  if (CERT_ERRORS.test(code)) return 'certificate';
  return 'tls_or_network';
}

function urlAllowed(kind: EgressKind, url: URL, p: EffectivePolicy): boolean {
  if (kind === 'update') {
    if (!p.UpdatesEnabled || !p.UpdatesUrl) return false;
    const base = new URL(p.UpdatesUrl);
    const prefix = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
    return url.host === base.host && (url.pathname + '/').startsWith(prefix);
  }
  if (kind === 'pacs') return p.PacsNodes.some((n) => pacsNodeAllows(n, url));
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

  /**
   * Admits one connection of `kind` to `rawUrl` (refused and audited unless policy allows it) and counts the attempt.
   * For callers that open their own streams (PACS); they report failures back through refusal().
   */
  admit(kind: EgressKind, rawUrl: string): URL {
    const url = this.authorize(kind, rawUrl);
    this.counts.attempts++;
    return url;
  }

  /** The gate's TLS settings for a connection admitted by admit() (the gate's own extra CAs unless the node names one). */
  tlsOptions(t: EgressTls): ConnectionOptions {
    return egressTlsOptions(t, this.o.ca ? { ca: this.o.ca, caOnly: this.o.caOnly ?? false } : undefined);
  }

  /** Records a refusal found after admission (certificate, pin, timeout, size): counted, audited as a security alert. */
  refusal(kind: EgressKind, reason: EgressRefusal, message: string, cause?: unknown): EgressRefused {
    return this.refuse(kind, reason, message, cause);
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
