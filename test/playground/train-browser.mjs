// The browser training page (examples/train-fashion-browser/) in headless Chromium: served as its
// README serves it (the repository with COOP/COEP, the data in the page's data/ folder, here a
// scratch copy of the test split mounted there), a few steps with a small batch: every loss is
// finite, each series moves, the sample grid is redrawn, and nothing is logged as an error.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyFashionData } from '../../examples/fashion/copy-data.mjs';
import { serveStatic } from '../../examples/playground/scripts/static-server.mjs';
import { waitFor } from './browser.mjs';

/** Runs the check with a launched browser; returns a one-line summary or throws. */
export async function checkTrainPage(chrome, { repo, dataDir, steps = 4, batch = 16 }) {
  const scratch = mkdtempSync(join(tmpdir(), 'upconv-train-page-'));
  let server = null;
  let page = null;
  try {
    copyFashionData(dataDir, scratch, ['t10k']);
    server = await serveStatic(repo, { mounts: { '/examples/train-fashion-browser/data/': scratch } });
    page = await chrome.newPage(server.url);
    const t0 = Date.now();
    await page.goto(`${server.url}examples/train-fashion-browser/?autostart=1&split=t10k&steps=${steps}&batch=${batch}&every=2&seed=3`, { timeout: 30_000 });
    await waitFor(page, () => window.__train && (window.__train.done || window.__train.error), null, 120_000, 'training page');
    const st = await page.evaluate(() => window.__train);
    const problems = [];
    if (st.error) problems.push(`the page reported ${st.error}`);
    if (st.losses.length !== steps) problems.push(`${st.losses.length} steps recorded, expected ${steps}`);
    if (!st.losses.flat().every(Number.isFinite)) problems.push(`a loss is not finite: ${JSON.stringify(st.losses)}`);
    ['d on real', 'd on fake', 'g'].forEach((name, k) => {
      const series = st.losses.map((l) => l[k]);
      if (new Set(series).size < 2) problems.push(`the ${name} loss did not move: ${series.join(', ')}`);
    });
    if (st.grids < 2) problems.push(`the sample grid was drawn ${st.grids} times`);
    const grid = await page.evaluate(() => {
      const c = document.getElementById('grid');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let lo = 255;
      let hi = 0;
      for (let i = 0; i < d.length; i += 4) {
        lo = Math.min(lo, d[i]);
        hi = Math.max(hi, d[i]);
      }
      return { lo, hi };
    });
    if (grid.hi - grid.lo < 16) problems.push(`the sample grid is blank (gray levels ${grid.lo}..${grid.hi})`);
    for (const e of page.errors()) problems.push(`${e.kind}: ${e.text}`);
    for (const l of page.logs.filter((x) => x.kind === 'requestfailed')) problems.push(`${l.kind}: ${l.text}`);
    if (!server.requests.some((p) => p.endsWith('/data/t10k-images-idx3-ubyte.gz'))) problems.push('the page did not fetch its data from its own folder');
    if (problems.length) throw new Error(problems.join('\n'));
    const l = st.losses;
    return `${steps} steps of batch ${batch} on ${st.backend} in ${((Date.now() - t0) / 1000).toFixed(1)}s; g loss ${l[0][2].toFixed(3)} → ${l.at(-1)[2].toFixed(3)}, d_real ${l[0][0].toFixed(3)} → ${l.at(-1)[0].toFixed(3)}`;
  } finally {
    await page?.closeContext().catch(() => {});
    await server?.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}
