// The playground's checks in headless Chromium, against the built site (examples/playground/dist/)
// served on 127.0.0.1 with COOP/COEP headers (isolated: the full walk through every tab) or
// without (the service worker must make it isolated; with ?coi=0 it runs on one thread and says
// why). Each function returns { notes, skipped } or throws with every problem found; any console
// error, uncaught exception or failed request of the page is a problem.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { copyFashionData } from '../../examples/fashion/copy-data.mjs';
import { serveStatic } from '../../examples/playground/scripts/static-server.mjs';
import { waitFor } from './browser.mjs';
import { canvasStats, dropFiles, unlabelledControls } from './page-helpers.mjs';

const ready = (page) => waitFor(page, () => window.__playground?.ready === true, null, 90_000, 'the playground did not get ready');

/** The Generate grid: not blank, a function of the seed (typed with the keyboard), redrawn by a slider. */
async function checkGenerate(page, problems, notes) {
  const trained = await page.evaluate(() => window.__playground.defaultTrained);
  const first = await canvasStats(page, 'gen-grid');
  // a trained generator draws garments (black to white); fresh weights only need to draw something
  if (first.hi - first.lo < (trained ? 64 : 1)) problems.push(`the Generate grid looks blank (gray levels ${first.lo}..${first.hi}, ${trained ? 'trained' : 'untrained'} model)`);
  const draws = () => page.evaluate(() => window.__playground.generate.draws);
  let n = await draws();
  await page.fill('#gen-seed', '2');
  await page.press('#gen-seed', 'Enter');
  await waitFor(page, (k) => window.__playground.generate.draws > k, n, 30_000, 'seed 2 was not drawn');
  const second = await canvasStats(page, 'gen-grid');
  if (second.hash === first.hash) problems.push('seeds 1 and 2 drew the same grid');
  n = await draws();
  await page.fill('#gen-seed', '1');
  await page.click('#gen-draw');
  await waitFor(page, (k) => window.__playground.generate.draws > k, n, 30_000, 'seed 1 was not redrawn');
  const again = await canvasStats(page, 'gen-grid');
  if (again.hash !== first.hash) problems.push('seed 1 drew a different grid the second time');
  n = await draws();
  await page.focus('#gen-slider-0');
  for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
  await waitFor(page, (k) => window.__playground.generate.draws >= k + 10, n, 30_000, 'the slider did not redraw');
  if ((await canvasStats(page, 'gen-grid')).hash === first.hash) problems.push('moving a latent slider left the grid as it was');
  await page.click('#gen-sliders-reset');
  await page.click('#walk-play');
  await waitFor(page, () => (window.__playground.walkFrames ?? 0) >= 4, null, 30_000, 'the latent walk did not animate');
  const w1 = await canvasStats(page, 'walk-grid');
  await waitFor(page, () => (window.__playground.walkFrames ?? 0) >= 8, null, 30_000, 'the latent walk stopped');
  const w2 = await canvasStats(page, 'walk-grid');
  await page.click('#walk-play');
  if (w1.hash === w2.hash) problems.push('the latent walk shows the same frame after 4 more frames');
  notes.push(`grid ${first.width}×${first.height} (levels ${first.lo}..${first.hi}; seeds differ; slider and walk redraw)`);
}

async function selectTab(page, name) {
  await page.focus('[role=tab][aria-selected=true]');
  // arrow keys move between tabs, as the tab pattern wants
  for (let i = 0; i < 4; i++) {
    if ((await page.evaluate(() => document.activeElement.textContent)) === name) break;
    await page.keyboard.press('ArrowRight');
  }
  const now = await page.evaluate(() => document.activeElement.textContent);
  if (now !== name) throw new Error(`the arrow keys did not reach the ${name} tab (at ${now})`);
}

/** Bring your own: a dropped .keras, a conditional .h5 through the file picker, a tf.js folder, a file that is no model. */
async function checkByo(page, problems, notes, shared) {
  await selectTab(page, 'Bring your own');
  const loaded = async (what, start) => {
    await waitFor(page, (s) => { const b = window.__playground.byo; return b && (b.error || (b.drawn && b.name !== s)); }, start, 60_000, `${what} did not load`);
    return page.evaluate(() => window.__playground.byo);
  };
  let b = await page.evaluate(() => window.__playground.byo?.name ?? null);
  await dropFiles(page, '#byo-drop', [{ name: 'generator.keras', bytes: readFileSync(join(shared, 'mnist-gan-dotkeras', 'generator.keras')) }]);
  let st = await loaded('the dropped .keras', b);
  if (st.error) problems.push(`dropping mnist-gan-dotkeras/generator.keras: ${st.error}`);
  else {
    const summary = await page.textContent('#byo-summary');
    if (!/Total params/.test(summary)) problems.push('no summary after dropping the .keras file');
    const c = await canvasStats(page, 'byo-grid');
    if (c.hi - c.lo < 32) problems.push(`the dropped model's samples look blank (levels ${c.lo}..${c.hi})`);
  }
  b = st.name ?? null;
  await page.setInputFiles('#byo-files', join(shared, 'wcgan-gp-tabular', 'generator.h5'));
  st = await loaded('the conditional .h5', b);
  if (st.error) problems.push(`wcgan-gp-tabular/generator.h5: ${st.error}`);
  else {
    const labels = await page.evaluate(() => ({ shown: !document.getElementById('byo-label-box').hidden, n: document.getElementById('byo-label').options.length }));
    if (!labels.shown || labels.n !== 15) problems.push(`the conditional model got no label picker of 15 classes (${JSON.stringify(labels)})`);
    const before = await canvasStats(page, 'byo-grid');
    const drawn = st.drawn;
    await page.selectOption('#byo-label', '3');
    await waitFor(page, (k) => window.__playground.byo.drawn > k, drawn, 30_000, 'picking a label did not redraw');
    if ((await canvasStats(page, 'byo-grid')).hash === before.hash) problems.push('label 3 drew the same samples as label 0');
  }
  b = st.name ?? null;
  const tfjs = join(shared, 'fashion-gan-upsampling2d', 'tfjs');
  await page.setInputFiles('#byo-files', [join(tfjs, 'model.json'), join(tfjs, 'group1-shard1of1.bin')]);
  st = await loaded('the tf.js files', b);
  if (st.error) problems.push(`fashion-gan-upsampling2d/tfjs: ${st.error}`);
  else if (JSON.stringify(st.shape) !== '[16,28,28,1]') problems.push(`the tf.js model drew ${JSON.stringify(st.shape)}`);
  b = st.name ?? null;
  // a whole tf.js folder through the folder picker (webkitdirectory)
  await page.setInputFiles('#byo-folder', join(shared, 'mnist-gan-dotkeras', 'tfjs'));
  st = await loaded('the tf.js folder', b);
  if (st.error) problems.push(`mnist-gan-dotkeras/tfjs as a folder: ${st.error}`);
  else if (st.name !== 'tfjs/model.json') problems.push(`the tf.js folder loaded as ${st.name}, expected tfjs/model.json`);
  b = st.name ?? null;
  // a URL (here the shared models mounted on the test server): loadModel fetches it
  await page.fill('#byo-url', `${page.url().replace(/[#?].*$/, '')}shared-models/dcgan-fashion-convtranspose/generator.h5`);
  await page.press('#byo-url', 'Enter');
  st = await loaded('the .h5 URL', b);
  if (st.error) problems.push(`dcgan-fashion-convtranspose/generator.h5 by URL: ${st.error}`);
  else {
    const c = await canvasStats(page, 'byo-grid');
    if (c.hi - c.lo < 32) problems.push(`the model loaded by URL draws blank samples (levels ${c.lo}..${c.hi})`);
  }
  // a model with a layer upconv does not have: the loader's UnsupportedModelError, naming it
  const json = JSON.parse(readFileSync(join(tfjs, 'model.json'), 'utf8'));
  json.modelTopology.model_config.config.layers.find((l) => l.class_name === 'LeakyReLU').class_name = 'MyLeakyReLU';
  await page.setInputFiles('#byo-files', [
    { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(json)) },
    { name: 'group1-shard1of1.bin', mimeType: 'application/octet-stream', buffer: readFileSync(join(tfjs, 'group1-shard1of1.bin')) },
  ]);
  await waitFor(page, () => !document.getElementById('byo-error').hidden, null, 30_000, 'no error shown for a model with an unknown layer');
  const unsupported = await page.textContent('#byo-error');
  if (!/^UnsupportedModelError: model\.json: 1 unsupported item:[^]*'MyLeakyReLU'[^]*registerLayer/.test(unsupported)) problems.push(`a model with an unknown layer showed "${unsupported}", not upconv/io's UnsupportedModelError naming the layer`);
  await page.setInputFiles('#byo-files', { name: 'notes.h5', mimeType: 'application/octet-stream', buffer: Buffer.from('these are not the weights you are looking for') });
  await waitFor(page, () => !document.getElementById('byo-error').hidden && document.getElementById('byo-error').textContent.includes('notes.h5'), null, 30_000, 'no error shown for a file that is not a model');
  const err = await page.textContent('#byo-error');
  if (!/^UnknownFormatError: notes\.h5: unknown format/.test(err)) problems.push(`an unknown file showed "${err}", not upconv/io's UnknownFormatError`);
  notes.push('bring your own: .keras dropped, conditional .h5 with a label picker, tf.js files and a tf.js folder, an .h5 by URL; UnsupportedModelError and UnknownFormatError shown');
}

/** Compare: every backend timed, outputs equal to the JS reference (relaxed SIMD within 1e-5). */
async function checkCompare(page, problems, notes) {
  await selectTab(page, 'Compare');
  await page.selectOption('#cmp-batch', '1');
  await page.click('#cmp-run');
  await waitFor(page, () => window.__playground.compare, null, 120_000, 'the comparison did not finish');
  const c = await page.evaluate(() => window.__playground.compare);
  const ids = c.results.map((r) => r.id);
  const threads = await page.evaluate(() => window.__playground.threadsApi);
  for (const want of ['wasm-relaxed-simd', 'wasm-simd', 'wasm-scalar', 'js', ...(threads ? ['threads'] : [])]) if (!ids.includes(want)) problems.push(`the comparison has no ${want} row`);
  for (const r of c.results) {
    if (r.error || !(r.ms > 0)) problems.push(`${r.label}: ${r.error ?? `no time (${r.ms})`}`);
    else if (r.diff == null) problems.push(`${r.label}: no comparison with the reference`);
    else if (!(r.diff <= 1e-5)) problems.push(`${r.label}: differs from the JS reference by ${r.diff} (more than 1e-5)`);
  }
  const bars = await page.evaluate(() => document.querySelectorAll('#cmp-chart rect').length);
  if (bars !== c.results.filter((r) => r.ms != null).length) problems.push(`${bars} bars for ${c.results.length} backends`);
  const caption = await page.textContent('#cmp-caption');
  if (!caption.includes(c.browser)) problems.push('the chart does not name the browser');
  if (!/Largest difference from the JS reference: /.test(caption)) problems.push(`the caption shows no largest difference: ${caption}`);
  notes.push(`compare (${c.browser}, batch 1, ms/sample): ${c.results.map((r) => `${r.id} ${r.ms?.toFixed(2)}${r.diff ? ` Δ${r.diff.toExponential(1)}` : ''}`).join(', ')}; bit-identical: ${c.groups.map((g) => g.join(' = ')).join('; ')}`);
}

/** Train: a few steps with a small batch (losses move, grid redrawn), pause, downloads that upconv/io loads. */
async function checkTrain(page, problems, notes, { repo, steps = 4 }) {
  await selectTab(page, 'Train');
  await page.fill('#train-batch', '16');
  await page.fill('#train-every', '2');
  await page.selectOption('#train-split', 't10k');
  await page.click('#train-start');
  await waitFor(page, (n) => window.__playground.train.steps >= n || window.__playground.train.error, steps, 150_000, `${steps} training steps did not finish`);
  await page.click('#train-pause');
  await waitFor(page, () => document.getElementById('train-start').textContent === 'Resume' || window.__playground.train.error, null, 60_000, 'pause did not take');
  const t = await page.evaluate(() => window.__playground.train);
  if (t.error) {
    problems.push(`training: ${t.error}`);
    return;
  }
  ['d on real', 'd on fake', 'g'].forEach((name, k) => {
    const s = t.losses.map((l) => l[k]);
    if (!s.every(Number.isFinite) || new Set(s).size < 2) problems.push(`the ${name} loss did not move: ${s.join(', ')}`);
  });
  if (t.grids < 2) problems.push(`the training grid was drawn ${t.grids} times`);
  const steady = t.steps;
  await new Promise((r) => setTimeout(r, 1500));
  if ((await page.evaluate(() => window.__playground.train.steps)) !== steady) problems.push('training went on after Pause');
  // downloads: the .keras file and the tf.js pair, loaded back with upconv/io in Node
  const dir = mkdtempSync(join(tmpdir(), 'upconv-playground-dl-'));
  try {
    const [keras] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click('#train-save-keras')]);
    await keras.saveAs(join(dir, keras.suggestedFilename()));
    const got = [];
    const both = new Promise((resolve) => page.on('download', (d) => { got.push(d); if (got.length === 2) resolve(); }));
    await page.click('#train-save-tfjs');
    await Promise.race([both, new Promise((_, rej) => setTimeout(() => rej(new Error('the tf.js download did not give two files')), 60_000))]);
    for (const d of got) await d.saveAs(join(dir, d.suggestedFilename()));
    const io = await import(pathToFileURL(join(repo, 'dist', 'io.js')).href);
    const { sampleLatents } = await import(pathToFileURL(join(repo, 'dist', 'index.js')).href);
    const z = sampleLatents(2, 100, { seed: 5 });
    const a = (await io.loadModel(join(dir, keras.suggestedFilename()))).predict(z);
    const b = (await io.loadModel(join(dir, 'model.json'))).predict(z);
    if (JSON.stringify(a.shape) !== '[2,28,28,1]') problems.push(`the downloaded .keras generator gives ${JSON.stringify(a.shape)}`);
    if (!a.data.every((v, i) => v === b.data[i])) problems.push('the downloaded .keras and tf.js generators disagree');
    notes.push(`train: ${t.steps} steps of batch 16 on ${t.backend}, g loss ${t.losses[0][2].toFixed(3)} → ${t.losses.at(-1)[2].toFixed(3)}; paused; ${keras.suggestedFilename()} and model.json + ${got.map((d) => d.suggestedFilename()).filter((f) => f !== 'model.json')} load in Node with equal outputs`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Adds the page's errors and failed requests to `problems` and throws if there are any. A request
 * that was aborted while the same URL was also fetched to the end (the service worker's one
 * reload, or Chromium restarting a download) is no problem.
 */
function finish(page, problems, { reloaded = false } = {}) {
  for (const e of page.errors()) problems.push(`${e.kind}: ${e.text}`);
  // Chromium sometimes aborts the 3.9 MB .h5 loaded by URL and fetches it again (the model loads
  // and draws; the page's own checks say so); the abort's event may be logged after the finished
  // second request's, which a check for a finished request *after* the abort called a failure
  // (CI, 2026-12-02). An abort with no finished request for the same URL anywhere in the page's
  // log is a failure.
  const fetched = (url) => page.logs.some((x) => x.kind === 'requestfinished' && x.url === url);
  for (const l of page.logs) if (l.kind === 'requestfailed' && !(/ net::ERR_ABORTED$/.test(l.text) && fetched(l.url))) problems.push(`${l.kind}: ${l.text}`);
  if (problems.length) throw new Error(problems.join('\n'));
}

/** The built site with COOP/COEP: every tab. */
export async function checkIsolated(chrome, { site, repo, shared, dataDir, screenshot }) {
  const scratch = mkdtempSync(join(tmpdir(), 'upconv-playground-'));
  const mounts = {};
  const skipped = [];
  if (dataDir) {
    copyFashionData(dataDir, join(scratch, 'data'), ['t10k']);
    mounts['/data/'] = join(scratch, 'data');
  }
  if (shared) mounts['/shared-models/'] = shared;
  const server = await serveStatic(site, { mounts });
  const page = await chrome.newPage(server.url);
  const problems = [];
  const notes = [];
  try {
    await page.goto(server.url, { timeout: 30_000 });
    await ready(page);
    const iso = await page.evaluate(() => window.__playground.isolation);
    if (iso.status !== 'headers' || !iso.crossOriginIsolated) problems.push(`with COOP/COEP headers the page reports ${JSON.stringify(iso)}`);
    const unnamed = await unlabelledControls(page);
    if (unnamed.length) problems.push(`controls without a name for screen readers: ${unnamed.join(', ')}`);
    await checkGenerate(page, problems, notes);
    if (shared) await checkByo(page, problems, notes, shared);
    else skipped.push('bring your own: ../shared/models/ is not there');
    await checkCompare(page, problems, notes);
    if (dataDir) await checkTrain(page, problems, notes, { repo });
    else skipped.push('train: no Fashion-MNIST files (Debian dataset-fashion-mnist, or --data)');
    const unnamedAtEnd = (await unlabelledControls(page)).filter((c) => !unnamed.includes(c));
    if (unnamedAtEnd.length) problems.push(`controls without a name for screen readers after every tab ran: ${unnamedAtEnd.join(', ')}`);
    if (screenshot) {
      await selectTab(page, 'Generate');
      await page.fill('#gen-seed', '1');
      await page.press('#gen-seed', 'Enter');
      await page.evaluate(() => window.scrollTo(0, 0));
      writeFileSync(screenshot, await page.screenshot({ fullPage: false }));
      notes.push(`screenshot: ${screenshot}`);
    }
    finish(page, problems);
    return { notes, skipped };
  } finally {
    await page.closeContext().catch(() => {});
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The built site without COOP/COEP: isolated by the service worker; with ?coi=0, one thread and the reason. */
export async function checkNotIsolated(chrome, { site }) {
  const server = await serveStatic(site, { isolate: false });
  const problems = [];
  const notes = [];
  let page = await chrome.newPage(server.url);
  try {
    await page.goto(server.url, { timeout: 30_000 });
    await ready(page);
    const iso = await page.evaluate(() => window.__playground.isolation);
    if (iso.status !== 'service-worker' || !iso.crossOriginIsolated) problems.push(`without headers the service worker did not isolate the page: ${JSON.stringify(iso)}`);
    const a = await canvasStats(page, 'gen-grid');
    if (a.hi === a.lo) problems.push('the grid is blank (service worker)');
    notes.push(`service worker: crossOriginIsolated ${iso.crossOriginIsolated}`);
    finish(page, problems, { reloaded: true });
    await page.closeContext();
    page = await chrome.newPage(server.url);
    await page.goto(`${server.url}?coi=0`, { timeout: 30_000 });
    await ready(page);
    const off = await page.evaluate(() => ({ iso: window.__playground.isolation, env: document.getElementById('env').textContent }));
    if (off.iso.crossOriginIsolated || !/not cross-origin isolated/.test(off.env)) problems.push(`?coi=0: ${JSON.stringify(off)}`);
    const b = await canvasStats(page, 'gen-grid');
    if (b.hi === b.lo) problems.push('the grid is blank (not isolated)');
    notes.push(`?coi=0: "${off.env.split(' · ').slice(2).join(' · ')}"`);
    finish(page, problems);
    return { notes, skipped: [] };
  } finally {
    await page.closeContext().catch(() => {});
    await server.close();
  }
}
