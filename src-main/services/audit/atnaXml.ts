// One audit entry as a DICOM PS3.15 A.5 AuditMessage (the ATNA/RFC 3881 XML that audit repositories and syslog
// receivers take), shaped per A.5.3 for each event: every coded value carries csd-code, codeSystemName and
// originalText; every ParticipantObjectIdentification has a ParticipantObjectName; no xsi: attributes.
// Checked against the standard's own RELAX NG schema in tests/main/audit (tests/fixtures/audit).
import { hostname } from 'node:os';
import { AUDIT_EVENT_IDS, AUDIT_EVENT_TYPES, type AuditObjectRecord, type AuditRecord } from '../../../src-shared/audit/auditEvents';

interface Coded {
  code: string;
  system: string;
  meaning: string;
}

const DCM = (code: string, meaning: string): Coded => ({ code, system: 'DCM', meaning });
const RFC3881 = (code: string, meaning: string): Coded => ({ code, system: 'RFC-3881', meaning });

const ROLE = {
  application: DCM('110150', 'Application'),
  launcher: DCM('110151', 'Application Launcher'),
  destination: DCM('110152', 'Destination Role ID'),
  source: DCM('110153', 'Source Role ID'),
};

const MEANING_BY_CODE = new Map<string, string>(
  [...Object.values(AUDIT_EVENT_IDS), ...Object.values(AUDIT_EVENT_TYPES)].map((c) => [c.code, c.meaning]),
);

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** xsd:token: no line breaks, no leading/trailing or doubled spaces; never empty. */
function token(s: string, fallback = 'unknown'): string {
  const t = Array.from(s, (c) => (c.charCodeAt(0) < 0x20 ? ' ' : c)).join('').replace(/\s+/g, ' ').trim();
  return t === '' ? fallback : t;
}

function coded(el: string, c: Coded): string {
  return `<${el} csd-code="${esc(c.code)}" codeSystemName="${c.system}" originalText="${esc(token(c.meaning))}"/>`;
}

function attrs(a: Record<string, string | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${esc(v!)}"`)
    .join('');
}

export interface AtnaSource {
  /** AuditSourceID: this installation (default: Enclave@<host name>). */
  sourceId: string;
  hostName: string;
}

export function defaultAtnaSource(): AtnaSource {
  const h = token(hostname(), 'localhost');
  return { sourceId: `Enclave@${h}`, hostName: h };
}

function participants(r: AuditRecord, src: AtnaSource): string {
  const a = r.actor;
  const app = (role: Coded | null, requestor: boolean) =>
    `<ActiveParticipant${attrs({ UserID: 'Enclave', UserName: 'Enclave', UserIsRequestor: String(requestor), NetworkAccessPointID: src.hostName, NetworkAccessPointTypeCode: '1' })}>${role ? coded('RoleIDCode', role) : ''}</ActiveParticipant>`;
  const person = (role: Coded | null) =>
    `<ActiveParticipant${attrs({ UserID: a.userId, UserName: a.userName, UserIsRequestor: String(a.requestor) })}>${role ? coded('RoleIDCode', role) : ''}</ActiveParticipant>`;
  const byApp = a.kind === 'application';
  switch (r.eventId) {
    case '110100': // Application Activity: the application, and who started or stopped it
      return app(ROLE.application, byApp) + (byApp ? '' : person(ROLE.launcher));
    case '110107': // Import: the application receives the data
      return app(ROLE.destination, byApp) + (byApp ? '' : person(null));
    case '110106': // Export: the application sends the data
      return app(ROLE.source, byApp) + (byApp ? '' : person(null));
    default:
      return byApp ? app(null, true) : person(null) + app(null, false);
  }
}

function describe(o: AuditObjectRecord): string {
  const parts: string[] = [];
  if (o.accession) parts.push(`<Accession Number="${esc(token(o.accession))}"/>`);
  for (const s of o.sopClasses ?? []) parts.push(`<SOPClass UID="${esc(token(s.uid))}" NumberOfInstances="${s.instances}"/>`);
  return parts.length ? `<ParticipantObjectDescription>${parts.join('')}</ParticipantObjectDescription>` : '';
}

function objectXml(o: { id: string; typeCode: string; role: string; idType: Coded; name: string; query?: string; details?: [string, string][]; description?: string; lifeCycle?: string }): string {
  const details = (o.details ?? []).map(([t, v]) => `<ParticipantObjectDetail type="${esc(token(t))}" value="${Buffer.from(v, 'utf8').toString('base64')}"/>`).join('');
  return (
    `<ParticipantObjectIdentification${attrs({ ParticipantObjectID: token(o.id), ParticipantObjectTypeCode: o.typeCode, ParticipantObjectTypeCodeRole: o.role, ParticipantObjectDataLifeCycle: o.lifeCycle })}>` +
    coded('ParticipantObjectIDTypeCode', o.idType) +
    // The schema takes a name or a query (base64), not both.
    (o.query !== undefined ? `<ParticipantObjectQuery>${o.query}</ParticipantObjectQuery>` : `<ParticipantObjectName>${esc(token(o.name))}</ParticipantObjectName>`) +
    details +
    (o.description ?? '') +
    '</ParticipantObjectIdentification>'
  );
}

const URI = RFC3881('12', 'URI');

/** What the event did to its objects (ParticipantObjectDataLifeCycle). */
function lifeCycle(eventId: string): string | undefined {
  return { '110107': '2', '110106': '10', '110103': '6', '110105': '14' }[eventId];
}

function objects(r: AuditRecord, alertDescription: string | null): string {
  const out: string[] = [];
  const patients = new Map<string, string>();
  const lc = lifeCycle(r.eventId);
  for (const o of r.objects) {
    switch (o.type) {
      case 'study':
        out.push(objectXml({ id: o.uid ?? `urn:enclave:study:${o.id}`, typeCode: '2', role: '3', idType: DCM('110180', 'Study Instance UID'), name: o.uid ?? o.id, description: describe(o), lifeCycle: lc }));
        if (o.patientId !== undefined) patients.set(o.patientId, o.patientName ?? '');
        break;
      case 'series':
      case 'instance':
        out.push(objectXml({ id: o.uid ? `urn:oid:${o.uid}` : `urn:enclave:${o.type}:${o.id}`, typeCode: '2', role: '4', idType: URI, name: o.type === 'series' ? 'Series Instance UID' : 'SOP Instance UID', description: describe(o), lifeCycle: lc }));
        break;
      case 'patient':
        patients.set(o.uid ?? o.id, o.name ?? '');
        break;
      case 'auditLog':
        out.push(objectXml({ id: 'urn:enclave:audit-trail', typeCode: '2', role: '13', idType: URI, name: 'Security Audit Log' }));
        break;
      case 'query': // PS3.15 A.5.3.12: the SOP class queried, role 24 (Query), the query itself base64
        out.push(objectXml({ id: o.uid ?? 'unknown', typeCode: '2', role: '24', idType: DCM('110181', 'SOP Class UID'), name: 'Query', query: o.query ?? '' }));
        break;
      case 'user':
        out.push(objectXml({ id: o.id, typeCode: '1', role: '11', idType: RFC3881('11', 'User Identifier'), name: o.name ?? o.id }));
        break;
      default:
        out.push(objectXml({ id: `urn:enclave:${o.type}:${o.id}`, typeCode: '2', role: o.type === 'importJob' ? '20' : '13', idType: URI, name: o.type === 'importJob' ? 'Import job' : 'Enclave encrypted store' }));
    }
  }
  // Every study names its patient (PS3.15 A.5.3: Patient, 1 per message).
  for (const [id, name] of patients) {
    out.push(objectXml({ id: id || 'unknown', typeCode: '1', role: '1', idType: RFC3881('2', 'Patient Number'), name: name || 'unknown' }));
  }
  if (alertDescription !== null) {
    // Security Alert: the subject carries the mandatory Alert Description; Enclave itself when nothing else is named.
    const subject = objectXml({ id: 'urn:enclave:application', typeCode: '2', role: '13', idType: URI, name: 'Enclave', details: [['Alert Description', alertDescription]] });
    if (out.length === 0) out.push(subject);
    else out[0] = out[0]!.replace('</ParticipantObjectName>', `</ParticipantObjectName><ParticipantObjectDetail type="Alert Description" value="${Buffer.from(alertDescription, 'utf8').toString('base64')}"/>`);
  }
  return out.join('');
}

/** A sentence from the entry's machine words (details are short words and counts by construction). */
export function alertDescription(r: AuditRecord): string {
  const words = Object.entries(r.detail).map(([k, v]) => `${k}=${String(v)}`);
  return `${MEANING_BY_CODE.get(r.eventType ?? '') ?? 'Security alert'}${words.length ? `: ${words.join(' ')}` : ''}`;
}

export function toAtnaXml(r: AuditRecord, src: AtnaSource = defaultAtnaSource()): string {
  const typeCode = r.eventType ? coded('EventTypeCode', DCM(r.eventType, MEANING_BY_CODE.get(r.eventType) ?? r.eventType)) : '';
  const failure = r.outcome !== 0 ? `<EventOutcomeDescription>${esc(Object.entries(r.detail).map(([k, v]) => `${k}=${String(v)}`).join(' ') || 'failure')}</EventOutcomeDescription>` : '';
  return (
    '<AuditMessage>' +
    `<EventIdentification${attrs({ EventActionCode: r.action, EventDateTime: r.time, EventOutcomeIndicator: String(r.outcome) })}>` +
    coded('EventID', DCM(r.eventId, MEANING_BY_CODE.get(r.eventId) ?? r.eventId)) +
    typeCode +
    failure +
    '</EventIdentification>' +
    participants(r, src) +
    `<AuditSourceIdentification AuditSourceID="${esc(token(src.sourceId))}">${coded('AuditSourceTypeCode', RFC3881('1', 'End-user display device, diagnostic device'))}</AuditSourceIdentification>` +
    objects(r, r.eventId === '110113' ? alertDescription(r) : null) +
    '</AuditMessage>'
  );
}
