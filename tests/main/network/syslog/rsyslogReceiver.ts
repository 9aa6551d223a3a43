// A real syslog-over-TLS receiver for the forwarding tests: Debian's rsyslogd with rsyslog-gnutls, run in the
// foreground as its own process with its own configuration (never /etc/rsyslog.conf, no imuxsock, so /dev/log is
// not touched), imtcp on a loopback port with the gtls driver in x509/name mode (the client must present a
// certificate from the CA whose name is permitted), writing each message to a file the test reads.
// The PKI is made with openssl in a temporary folder: a CA, the server's certificate (127.0.0.1/localhost), the
// client's, and a second CA that signed nothing the server uses (the "wrong CA").
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface SyslogPki {
  dir: string;
  caFile: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA that did not sign the server's certificate. */
  otherCaFile: string;
  /** A server certificate from the right CA, for a name that is not the receiver's. */
  wrongNameCert: string;
  wrongNameKey: string;
}

export const CLIENT_NAME = 'enclave-client.test';

export function makeSyslogPki(dir: string): SyslogPki {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const ca = (name: string) => run('req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=Enclave syslog test ${name}`);
  const leaf = (name: string, cn: string, ext: string) => {
    run('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    writeFileSync(path.join(dir, `${name}.cnf`), ext);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.cnf`);
  };
  ca('ca');
  ca('other-ca');
  leaf('server', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  leaf('client', CLIENT_NAME, `subjectAltName=DNS:${CLIENT_NAME}\nextendedKeyUsage=clientAuth\n`);
  leaf('wrong-name', 'elsewhere.test', 'subjectAltName=DNS:elsewhere.test\nextendedKeyUsage=serverAuth\n');
  execFileSync('chmod', ['0640', 'client.key'], { cwd: dir });
  const f = (n: string) => path.join(dir, n);
  return {
    dir, caFile: f('ca.pem'), serverCert: f('server.pem'), serverKey: f('server.key'), clientCert: f('client.pem'), clientKey: f('client.key'),
    otherCaFile: f('other-ca.pem'), wrongNameCert: f('wrong-name.pem'), wrongNameKey: f('wrong-name.key'),
  };
}

/** A loopback port nobody listens on now. */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** One message as rsyslog parsed and wrote it. */
export interface Received {
  facility: number;
  severity: number;
  appName: string;
  msgId: string;
  procId: string;
  time: string;
  /** MSG as received (the BOM included). */
  msg: string;
}

const END = '\n<<END>>\n';

export class RsyslogReceiver {
  readonly out: string;
  private proc: ChildProcess | null = null;
  private stderr = '';
  private readonly conf: string;
  private readonly pidFile: string;

  constructor(private readonly dir: string, pki: SyslogPki, readonly port: number) {
    mkdirSync(path.join(dir, 'work'), { recursive: true });
    this.out = path.join(dir, 'received.log');
    this.conf = path.join(dir, 'rsyslog.conf');
    this.pidFile = path.join(dir, 'rsyslogd.pid');
    writeFileSync(this.out, '');
    writeFileSync(
      this.conf,
      `global(workDirectory="${dir}/work" maxMessageSize="64k" parser.escapeControlCharactersOnReceive="off"
  defaultNetstreamDriver="gtls"
  defaultNetstreamDriverCAFile="${pki.caFile}" defaultNetstreamDriverCertFile="${pki.serverCert}" defaultNetstreamDriverKeyFile="${pki.serverKey}")
module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="x509/name" permittedPeer=["${CLIENT_NAME}"])
input(type="imtcp" port="${port}" address="127.0.0.1")
template(name="record" type="string" string="%syslogfacility% %syslogseverity% %app-name% %msgid% %procid% %timereported:::date-rfc3339%|%msg%${END.replace(/\n/g, '\\n')}")
*.* action(type="omfile" file="${this.out}" template="record")
`,
    );
  }

  /** Starts rsyslogd and waits (at most 15 s: it takes ~1 s on an idle machine) until it accepts connections. */
  async start(): Promise<void> {
    if (this.proc) return;
    const proc = spawn('/usr/sbin/rsyslogd', ['-n', '-f', this.conf, '-i', this.pidFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    this.proc = proc;
    const until = Date.now() + 15_000;
    while (!(await this.accepts())) {
      if (proc.exitCode !== null || Date.now() > until) {
        await this.stop();
        throw new Error(`rsyslogd did not start: ${this.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGTERM, then SIGKILL after 3 s; resolves once the process is gone. */
  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }

  get running(): boolean {
    return this.proc !== null;
  }

  /** What rsyslogd said on stderr (its refusals name the reason). */
  log(): string {
    return this.stderr;
  }

  received(): Received[] {
    if (!existsSync(this.out)) return [];
    const text = readFileSync(this.out, 'utf8');
    const parts = text.split(END);
    parts.pop(); // after the last END: nothing, or a record still being written
    return parts.map((p) => {
      const bar = p.indexOf('|');
      const [facility, severity, appName, msgId, procId, time] = p.slice(0, bar).split(' ');
      return { facility: Number(facility), severity: Number(severity), appName: appName!, msgId: msgId!, procId: procId!, time: time!, msg: p.slice(bar + 1) };
    });
  }

  bytes(): number {
    return existsSync(this.out) ? readFileSync(this.out).length : 0;
  }

  private accepts(): Promise<boolean> {
    return new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: this.port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
  }
}

/** Polls `f` every 50 ms until it returns true; fails after `ms`, with `detail()` in the message. */
export async function until(f: () => boolean, ms: number, what: string, detail?: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${detail ? ` (${detail()})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
