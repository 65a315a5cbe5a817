// The page's side of the training example: settings, the step loop (one step per task, so the page
// keeps painting), progress, the sample grid every N steps and the loss plot. window.__train holds
// the state for the headless check (test/playground/train-browser.mjs).
import { getBackend, init, toImageData } from 'upconv';
import { fetchFashion } from '../fashion/fetch-idx.mjs';
import { GanLoop } from '../fashion/loop.mjs';
import { lossPlotSVG } from '../fashion/plot.mjs';

const $ = (id) => document.getElementById(id);
const state = (window.__train = { ready: false, step: 0, losses: [], grids: 0, error: null, done: false });
const status = (text, error = false) => {
  $('status').textContent = text;
  $('status').classList.toggle('error', error);
};

// settings from the query string (?seed=1&batch=16&every=2&steps=4&split=t10k&autostart=1)
const params = new URLSearchParams(location.search);
for (const k of ['seed', 'batch', 'every', 'steps', 'split']) if (params.has(k)) $(k).value = params.get(k);

let loop = null;
let running = false;
let dataCache = new Map();

function drawGrid() {
  const img = toImageData(loop.samples(), { range: 'tanh', columns: 8, scale: 1, padding: 1 });
  const c = $('grid');
  [c.width, c.height] = [img.width, img.height];
  c.style.width = `${img.width * 3}px`;
  c.getContext('2d').putImageData(img, 0, 0);
  $('grid-caption').textContent = `Samples after step ${loop.step} (fixed latents)`;
  state.grids++;
}

async function loadData(split) {
  if (!dataCache.has(split)) {
    status(`Fetching the ${split} split from ./data/…`);
    dataCache.set(split, await fetchFashion(new URL('./data/', location.href), split, {
      onProgress: ({ file, loaded, total }) => status(`Fetching ${file}.gz: ${(loaded / 2 ** 20).toFixed(1)}${total ? ` of ${(total / 2 ** 20).toFixed(1)}` : ''} MiB`),
    }));
  }
  return dataCache.get(split);
}

const tick = () => new Promise((r) => setTimeout(r, 0));

async function run() {
  const every = Math.max(1, Number($('every').value) || 1);
  const maxSteps = Number($('steps').value) || Infinity;
  running = true;
  $('start').disabled = true;
  $('pause').disabled = false;
  $('settings').querySelector('fieldset').disabled = true;
  status(`Training on ${getBackend()}…`);
  const t0 = performance.now();
  const first = loop.step;
  while (running && loop.step < maxSteps) {
    const r = loop.trainStep();
    state.step = loop.step;
    state.losses.push([r.dReal, r.dFake, r.g]);
    const perStep = (performance.now() - t0) / (loop.step - first);
    $('progress').textContent = `epoch ${r.epoch + 1}, step ${loop.step} (${r.batchIndex + 1}/${loop.stepsPerEpoch})  d_real ${r.dReal.toFixed(3)}  d_fake ${r.dFake.toFixed(3)}  g ${r.g.toFixed(3)}  ${perStep.toFixed(0)} ms/step`;
    if (loop.step % every === 0) drawGrid();
    $('plot').innerHTML = lossPlotSVG(loop.losses, { width: 560, height: 280, title: 'Fashion-MNIST DCGAN' });
    await tick();
  }
  running = false;
  $('pause').disabled = true;
  $('start').disabled = false;
  $('start').textContent = 'Resume';
  if (loop.step >= maxSteps) {
    drawGrid();
    state.done = true;
    status(`Stopped after ${loop.step} steps.`);
  } else status(`Paused at step ${loop.step}.`);
}

$('start').addEventListener('click', async () => {
  try {
    if (!loop) {
      const data = await loadData($('split').value);
      loop = new GanLoop({ data, seed: Number($('seed').value), batch: Number($('batch').value) });
      drawGrid(); // step 0: the untrained generator
    }
    await run();
  } catch (e) {
    running = false;
    state.error = `${e.name}: ${e.message}`;
    status(state.error, true);
    console.error(e);
  }
});
$('pause').addEventListener('click', () => {
  running = false;
  $('pause').disabled = true;
});

try {
  await init();
  state.ready = true;
  state.backend = getBackend();
  status(`Ready: upconv runs on ${getBackend()}. Press Start.`);
  if (params.get('autostart') === '1') $('start').click();
} catch (e) {
  state.error = `${e.name}: ${e.message}`;
  status(state.error, true);
  console.error(e);
}
