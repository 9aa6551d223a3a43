// The browser harness (DESIGN.md section 5, ring 2): Debian's Chromium loads the BUILT renderer from
// an https test origin answered by the real appProtocol; window.enclave is defined over
// page.exposeBinding calling the real dispatcher. Same renderer, dispatcher and services as Electron.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { startOriginServer } from './originServer';
import { createAppServices, type AppServices } from '../../src-main/services/app/appServices';
import { createNodeCodecs } from '../../src-main/services/codecs/nodeCodecs';
import { MemoryStudyStore } from '../../src-main/services/store/memoryStudyStore';
import { openCache, StoreSession, type CacheSession } from '../../src-main/services/app/storeSession';
import type { AppPolicy } from '../../src-main/services/app/policyWiring';
import type { Clock } from '../../src-main/services/audit/auditService';
import { POLICY_DEFAULTS, type EffectivePolicy } from '../../src-main/services/policy/policySchema';
import { AuthSession } from '../../src-main/services/users/authSession';
import type { EventName, Events } from '../../src-shared/ipc/contract';

export const TEST_ORIGIN = 'https://enclave.test';
export const REPO = resolve(__dirname, '../..');
export const SHARED_DATA = resolve(REPO, '../shared/data');
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-default-apps',
  '--disable-domain-reliability',
  '--disable-features=Translate,OptimizationHints,MediaRouter',
];

export interface Harness {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  services: AppServices;
  store: MemoryStudyStore;
  /** The accounts session (accounts mode only). */
  auth: AuthSession | null;
  /** Every URL the page tried to load, in order. */
  requests: string[];
  /** Requests that were not for the app origin (each one is a privacy failure). */
  outsideRequests: string[];
  /** What the injected "open folder" dialog returns next. */
  setNextFolder(path: string | null): void;
  /** How many times main has asked the folder dialog (an import or export has started when this grows). */
  foldersChosen(): number;
  /** How many times main has emitted this event (e.g. 'studies:changed' at the end of every import). */
  emitted(name: EventName): number;
  close(): Promise<void>;
}

const INIT_SCRIPT = `(() => {
  const listeners = new Map();
  window.__enclaveEmit = (name, payload) => { for (const l of listeners.get(name) || []) l(payload); };
  // Replies come as JSON text (see encodeReply): NaN, the infinities and undefined are put back here.
  const revive = (k, v) => (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && '\\u0000' in v ? (v['\\u0000'] === 'u' ? undefined : Number(v['\\u0000'])) : v);
  window.enclave = Object.freeze({
    invoke: (channel, request) => window.__enclaveInvoke(channel, request).then((text) => JSON.parse(text, revive)),
    on: (name, listener) => {
      if (!listeners.has(name)) listeners.set(name, new Set());
      listeners.get(name).add(listener);
      return () => listeners.get(name).delete(listener);
    },
    // Plain Chromium cannot turn a dropped File into a path (Electron's webUtils can): say so.
    importDropped: async () => ({ ok: false, error: { code: 'INVALID_REQUEST', message: 'Drag and drop needs the desktop app.' } }),
  });
})();`;

/**
 * A reply as JSON text for the binding. Playwright carries an object reply value by value in its own tagged form,
 * which took 40-55 ms for the series:open reply of a 400-slice series (its frames) where main answered in 3 ms;
 * Electron's IPC (structured clone) takes well under one. Structured clone keeps NaN, the infinities and
 * undefined, which JSON does not: they travel tagged and the page puts them back.
 */
export function encodeReply(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v === undefined ? { '\u0000': 'u' } : typeof v === 'number' && !Number.isFinite(v) ? { '\u0000': String(v) } : v));
}

export interface HarnessOptions {
  /** The study cache behind the app; default: an open in-memory store. */
  cache?: CacheSession;
  /** Extra Chromium flags (benches: --js-flags=--expose-gc). */
  chromiumArgs?: string[];
  /** The machine policy and network services (createPolicyWiring(...).appPolicy); default: none. */
  policy?: AppPolicy;
  /** User accounts over `cache` (a StoreSession): first-run setup, login, lock. Default: one local user with every right. */
  auth?: AuthSession;
  /**
   * User accounts as main.ts composes them: a real encrypted store in `dataDir` (no keychain: the recovery-key
   * path), password wraps in its real key file, and an AuthSession over it. With `clock`, time is the test's
   * and no timer runs: advancing it and asking the session (auth.state()) is the idle timer firing.
   */
  accounts?: { dataDir: string; clock?: Clock; policy?: Partial<EffectivePolicy> };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const rendererDir = resolve(REPO, 'dist/renderer');
  if (!existsSync(resolve(rendererDir, 'index.html'))) throw new Error('Build the renderer first: npm run build');
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium`);

  let nextFolder: string | null = null;
  let chosen = 0;
  const emittedCounts = new Map<EventName, number>();
  let page: Page | null = null;
  const store = new MemoryStudyStore();
  const accounts = options.accounts;
  const accountCache = accounts ? new StoreSession(accounts.dataDir, null) : null;
  const cache = accountCache ?? options.cache;
  const auth = options.auth ?? (accountCache
    ? new AuthSession({ cache: accountCache, policy: { ...POLICY_DEFAULTS, ...accounts!.policy }, ...(accounts!.clock ? { clock: accounts!.clock, timers: false } : {}) })
    : null);
  if (accountCache && auth) {
    await accountCache.start();
    await auth.start();
  }
  const services = createAppServices({
    cache: cache ?? openCache(store),
    storeKind: cache ? 'encrypted' : 'memory',
    ...(auth ? { auth } : {}),
    codecs: await createNodeCodecs(),
    dialogs: { chooseFolder: async () => { chosen++; return nextFolder; } },
    events: {
      emit<E extends EventName>(name: E, payload: Events[E]) {
        emittedCounts.set(name, (emittedCounts.get(name) ?? 0) + 1);
        void page?.evaluate(([n, p]) => (window as unknown as { __enclaveEmit(n: string, p: unknown): void }).__enclaveEmit(n, p), [name, payload] as const).catch(() => undefined);
      },
    },
    rendererDir,
    version: '0.0.0-test',
    appOrigin: TEST_ORIGIN,
    // Pixels decode in the same worker pool as in Electron (the build runs before e2e).
    decodeWorkerPath: resolve(REPO, 'dist/main/decodeWorker.cjs'),
    importWorkerPath: resolve(REPO, 'dist/main/importWorker.cjs'),
    ...(options.policy ? { policy: options.policy } : {}),
  });

  // The test origin is served over loopback, bodies handed over as bytes, as protocol.handle does in Electron
  // (page.route would base64 every slice over CDP: 45-127 ms for one 512 KiB slice).
  const origin = await startOriginServer(new URL(TEST_ORIGIN).hostname, (path, method) => services.appProtocol(new Request('app://enclave' + path, { method })));
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${new URL(TEST_ORIGIN).hostname} 127.0.0.1:${origin.port}`, ...(options.chromiumArgs ?? [])],
  }).catch(async (e: unknown) => { await origin.close(); throw e; });
  // The loopback server's certificate is a throwaway one made for this run.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, serviceWorkers: 'block', ignoreHTTPSErrors: true });
  const requests: string[] = [];
  const outsideRequests: string[] = [];
  context.on('request', (req) => {
    const url = req.url();
    requests.push(url);
    if (!url.startsWith(`${TEST_ORIGIN}/`) && !url.startsWith('blob:') && !url.startsWith('data:')) outsideRequests.push(url);
  });
  // Anything but the test origin is refused before it leaves the browser; the test origin's requests are not
  // routed (they reach the loopback server, which hands them to appProtocol as app://enclave/...).
  const outside = new RegExp(`^(?!${TEST_ORIGIN.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/)`);
  await context.route(outside, (route) => route.abort('blockedbyclient'));
  page = await context.newPage();
  // An uncaught error in the page unmounts the React tree: say so in the test output.
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.exposeBinding('__enclaveInvoke', async (source, channel: unknown, request: unknown) =>
    encodeReply(await services.dispatch(channel, request, { url: source.frame.url(), isTopFrame: source.frame === source.page.mainFrame() })));
  await page.addInitScript(INIT_SCRIPT);

  return {
    browser, context, page, services, store, auth, requests, outsideRequests,
    setNextFolder: (p) => { nextFolder = p; },
    foldersChosen: () => chosen,
    emitted: (name) => emittedCounts.get(name) ?? 0,
    async close() {
      await browser.close().catch(() => undefined);
      await origin.close();
      await services.series.close();
      // A session the caller made is the caller's to end.
      if (accountCache) auth?.dispose();
      await accountCache?.close();
      await store.close();
    },
  };
}
