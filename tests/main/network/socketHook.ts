// A socket-level hook for the test process: every TCP connect (net, tls, http, https, and Node's fetch,
// which is undici over net), every DNS lookup and every UDP socket is counted, then let through. The
// zero-connection test reads it; the positive controls prove it sees the gate's own connections.
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';

export interface SocketCounts {
  connects: string[];
  lookups: string[];
  udp: number;
  fetches: string[];
}

export function installSocketHook(): { counts: SocketCounts; reset(): void; uninstall(): void } {
  const counts: SocketCounts = { connects: [], lookups: [], udp: 0, fetches: [] };
  const proto = net.Socket.prototype as unknown as { connect: (...a: unknown[]) => unknown };
  const connect = proto.connect;
  proto.connect = function (this: net.Socket, ...args: unknown[]) {
    const o = args[0];
    // Unix sockets and named pipes are local IPC (the decode workers, D-Bus), not the network.
    const target = Array.isArray(o) ? o[0] : o;
    const desc = typeof target === 'object' && target !== null ? target as { host?: string; port?: number; path?: string } : { port: Number(target), host: String(args[1] ?? '') };
    if (!desc.path) counts.connects.push(`${desc.host ?? 'localhost'}:${desc.port}`);
    return connect.apply(this, args);
  };
  const lookup = dns.lookup;
  const promisesLookup = dns.promises.lookup;
  (dns as { lookup: unknown }).lookup = (host: string, ...rest: unknown[]) => {
    counts.lookups.push(host);
    return (lookup as (...a: unknown[]) => unknown)(host, ...rest);
  };
  (dns.promises as { lookup: unknown }).lookup = (host: string, ...rest: unknown[]) => {
    counts.lookups.push(host);
    return (promisesLookup as (...a: unknown[]) => unknown)(host, ...rest);
  };
  const createSocket = dgram.createSocket;
  (dgram as { createSocket: unknown }).createSocket = (...a: unknown[]) => {
    counts.udp++;
    return (createSocket as (...x: unknown[]) => unknown)(...a);
  };
  const fetch = globalThis.fetch;
  globalThis.fetch = (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    counts.fetches.push(String(input instanceof Request ? input.url : input));
    return fetch(input, init);
  };
  return {
    counts,
    reset() {
      counts.connects.length = 0;
      counts.lookups.length = 0;
      counts.fetches.length = 0;
      counts.udp = 0;
    },
    uninstall() {
      proto.connect = connect;
      (dns as { lookup: unknown }).lookup = lookup;
      (dns.promises as { lookup: unknown }).lookup = promisesLookup;
      (dgram as { createSocket: unknown }).createSocket = createSocket;
      globalThis.fetch = fetch;
    },
  };
}
