import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { checkMainSource, checkRendererSource, scanRepo } from '../tools/networkGuard';

describe('network guard', () => {
  it('finds no network path in the real source tree', () => {
    expect(scanRepo(resolve(__dirname, '../..'))).toEqual([]);
  });

  it('fails on every way of reaching the network from main', () => {
    const bad = [
      "import http from 'http';",
      "import { request } from 'node:https';",
      "import * as net from 'node:net';",
      "const tls = require('tls');",
      "const d = await import('node:dgram');",
      "import { lookup } from 'dns/promises';",
      "import { fetch } from 'undici';",
      "await fetch('https://example.com');",
      "globalThis.fetch(url)",
      "import dimse from 'dcmjs-dimse';",
    ];
    for (const line of bad) expect(checkMainSource('src-main/services/telemetry.ts', line), line).not.toEqual([]);
  });

  it('allows network code only behind the egress gate (src-main/services/network/)', () => {
    expect(checkMainSource('src-main/services/network/updates/download.ts', "import https from 'node:https'")).toEqual([]);
    expect(checkMainSource('src-main/services/updates/download.ts', "import https from 'node:https'")).not.toEqual([]);
    // Audit forwarding's TLS lives in network/syslog/; the same import beside the audit trail is a violation.
    expect(checkMainSource('src-main/services/network/syslog/syslogForwarder.ts', "import { connect } from 'node:tls';")).toEqual([]);
    expect(checkMainSource('src-main/services/audit/auditForwarding.ts', "import { connect } from 'node:tls';")).not.toEqual([]);
    expect(checkMainSource('src-main/services/audit/auditForwarding.ts', "import type { TLSSocket } from 'node:tls';")).not.toEqual([]);
    expect(checkMainSource('src-main/services/network/pacs/dimseClient.ts', "import dimse from 'dcmjs-dimse'")).toEqual([]);
    expect(checkMainSource('src-main/cli/pacsCommands.ts', "import dimse from 'dcmjs-dimse'")).not.toEqual([]);
  });

  it('does not confuse look-alikes with network use', () => {
    expect(checkMainSource('src-main/services/x.ts', "import { join } from 'node:path'; const prefetch = 1; // fetch( in a comment")).toEqual([]);
  });

  it('fails when the renderer names a remote URL', () => {
    expect(checkRendererSource('src-renderer/x.ts', "fetch('https://cdn.example/x.js')")).not.toEqual([]);
    expect(checkRendererSource('src-renderer/x.ts', 'new WebSocket(u)')).not.toEqual([]);
    expect(checkRendererSource('src-renderer/x.ts', 'fetch(`${view.pixelPath}/${k}`)')).toEqual([]);
  });
});
