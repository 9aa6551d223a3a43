// Audit entries and checkpoints as syslog messages: RFC 5424 (header, no structured data, a UTF-8 body with its
// BOM as 6.4 requires) in RFC 5425's octet-counted framing (`MSG-LEN SP SYSLOG-MSG`). Facility authpriv (10), as
// IHE ATNA (ITI-20) expects of audit records; severity from the entry's outcome. An entry's body is its DICOM
// PS3.15 A.5 AuditMessage (MSGID IHE+RFC-3881); a checkpoint's body is its C2SP signed note.
import { hostname } from 'node:os';
import type { AuditRecord } from '../../../../src-shared/audit/auditEvents';
import { toAtnaXml, type AtnaSource } from '../../audit/atnaXml';

export const FACILITY_AUTHPRIV = 10;
export const APP_NAME = 'Enclave';
export const MSGID_AUDIT = 'IHE+RFC-3881';
export const MSGID_CHECKPOINT = 'ENCLAVE-CHECKPOINT';
export const MSGID_GAP = 'ENCLAVE-GAP';

/** RFC 5424 6.2.1 severities used here. */
export const SEVERITY = { alert: 1, warning: 4, notice: 5, informational: 6 } as const;
export type Severity = (typeof SEVERITY)[keyof typeof SEVERITY];

const BOM = '\uFEFF';

export interface SyslogHeader {
  /** HOSTNAME: printable US-ASCII, at most 255 (RFC 5424 6.2.4); '-' when unknown. */
  hostName: string;
  /** PROCID. */
  procId: string;
}

/** Printable US-ASCII without spaces, cut to `max`; the NILVALUE '-' when nothing is left (RFC 5424 6). */
export function headerField(s: string, max: number): string {
  const t = s.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return t === '' ? '-' : t;
}

export function defaultSyslogHeader(): SyslogHeader {
  return { hostName: headerField(hostname(), 255), procId: String(process.pid) };
}

/** Alerts as alert, failures as warning, the rest as notice. */
export function severityOf(r: Pick<AuditRecord, 'eventId' | 'outcome'>): Severity {
  if (r.eventId === '110113') return SEVERITY.alert;
  return r.outcome === 0 ? SEVERITY.notice : SEVERITY.warning;
}

/** One RFC 5424 message (not framed). `time` is the event's own time (ISO 8601 UTC). */
export function syslogMessage(o: { severity: Severity; time: string; msgId: string; body: string; header: SyslogHeader }): string {
  const pri = FACILITY_AUTHPRIV * 8 + o.severity;
  return `<${pri}>1 ${o.time} ${headerField(o.header.hostName, 255)} ${APP_NAME} ${headerField(o.header.procId, 128)} ${headerField(o.msgId, 32)} - ${BOM}${o.body}`;
}

/** RFC 5425 4.3: MSG-LEN (octets, decimal) SP SYSLOG-MSG. */
export function frame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}

export function entryMessage(r: AuditRecord, header: SyslogHeader, source?: AtnaSource): string {
  return syslogMessage({ severity: severityOf(r), time: r.time, msgId: MSGID_AUDIT, body: toAtnaXml(r, source), header });
}

export function checkpointMessage(note: string, time: string, header: SyslogHeader): string {
  return syslogMessage({ severity: SEVERITY.informational, time, msgId: MSGID_CHECKPOINT, body: note, header });
}

/** Entries the outbox could not hold: the receiver learns which are missing (the local trail has them). */
export function gapMessage(from: number, to: number, time: string, header: SyslogHeader): string {
  return syslogMessage({
    severity: SEVERITY.warning,
    time,
    msgId: MSGID_GAP,
    body: `Audit entries ${from} to ${to} were not forwarded (the outbox was full); the local audit trail holds them.`,
    header,
  });
}
