// Headless Chromium for the browser checks: Debian's /usr/bin/chromium (or UPCONV_CHROMIUM) driven
// by playwright-core from test/runtimes/node_modules (the runtime check's dependency; no browser is
// ever downloaded). Every page is confined to the local server, and everything it logs is kept so
// a check can fail on any console error or uncaught exception.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHROMIUM = process.env.UPCONV_CHROMIUM || '/usr/bin/chromium';
const PLAYWRIGHT = join(repo, 'test', 'runtimes', 'node_modules', 'playwright-core');

/** Why the checks cannot run a browser here, or null. */
export function browserMissing() {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install chromium, or set UPCONV_CHROMIUM)`;
  if (!existsSync(join(PLAYWRIGHT, 'package.json'))) return 'playwright-core is not installed (npm ci --prefix test/runtimes; npm test does it)';
  return null;
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** Launches Chromium; returns { browser, version, newPage(origin), close() }. */
export async function launch() {
  const { chromium } = await import(pathToFileURL(join(PLAYWRIGHT, 'index.mjs')).href);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 60_000, args: CHROMIUM_ARGS });
  return {
    browser,
    version: browser.version(),
    /**
     * A page in a fresh context (its own service workers and storage) that may only reach `origin`.
     * `page.logs` collects console messages, page errors and failed requests; `page.errors()` the
     * ones a check fails on.
     */
    async newPage(origin, { viewport = { width: 1200, height: 900 } } = {}) {
      const context = await browser.newContext({ viewport, acceptDownloads: true });
      const page = await context.newPage();
      const logs = [];
      const track = (p) => {
        p.on('console', (m) => logs.push({ kind: `console.${m.type()}`, text: m.text() }));
        p.on('pageerror', (e) => logs.push({ kind: 'pageerror', text: `${e.name}: ${e.message}` }));
        p.on('requestfailed', (r) => logs.push({ kind: 'requestfailed', text: `${r.url()} ${r.failure()?.errorText}`, url: r.url(), at: logs.length }));
        p.on('requestfinished', (r) => logs.push({ kind: 'requestfinished', text: r.url(), url: r.url() }));
      };
      track(page);
      context.on('page', track);
      context.on('weberror', (e) => logs.push({ kind: 'weberror', text: String(e.error()) }));
      // only the local server: anything else the page asks for is refused
      await context.route((url) => !url.href.startsWith(origin), (route) => route.abort());
      page.logs = logs;
      page.errors = () => logs.filter((l) => l.kind === 'console.error' || l.kind === 'pageerror' || l.kind === 'weberror');
      page.closeContext = () => context.close();
      return page;
    },
    close: () => browser.close(),
  };
}

/** Waits until fn() (run in the page) is truthy; on timeout the error carries the page's log. */
export async function waitFor(page, fn, arg, timeout, what) {
  try {
    return await page.waitForFunction(fn, arg, { timeout, polling: 200 });
  } catch (e) {
    throw new Error(`${what}: ${e.message.split('\n')[0]}\n${page.logs.filter((l) => l.kind !== 'requestfinished').map((l) => `  ${l.kind}: ${l.text}`).join('\n')}`);
  }
}
