// Where audit forwarding goes: policy's AuditSyslogTarget (host or host:port) as host and port, 6514 when the
// port is left out (RFC 5425's port for syslog over TLS).
export const SYSLOG_TLS_PORT = 6514;

export interface SyslogTarget {
  host: string;
  port: number;
}

export function parseSyslogTarget(s: string | null): SyslogTarget | null {
  if (!s) return null;
  const m = /^([A-Za-z0-9.-]{1,253})(?::(\d{1,5}))?$/.exec(s);
  if (!m) return null;
  const port = m[2] === undefined ? SYSLOG_TLS_PORT : Number(m[2]);
  return port >= 1 && port <= 65535 ? { host: m[1]!, port } : null;
}
