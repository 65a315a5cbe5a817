// The Train tab's worker: examples/fashion/loop.mjs (the node example's loop) on Fashion-MNIST
// fetched from the site's data/ folder (or files the user picked), one step per task so pause,
// resume and save messages get through between steps.
//   in:  { type: 'start', base, split, seed, batch, every, files? } | { type: 'pause' } | { type: 'resume' } | { type: 'save' }
//   out: { type: 'status' | 'ready' | 'data-missing' | 'step' | 'grid' | 'paused' | 'saved' | 'error', ... }
import { getBackend, init } from 'upconv';
import { saveModel } from 'upconv/io';
import { fashionFromFiles, fetchFashion } from '../../fashion/fetch-idx.mjs';
import { GanLoop } from '../../fashion/loop.mjs';

let loop = null;
let running = false;
let every = 10;
const post = (m, transfer) => self.postMessage(m, transfer ?? []);
const tick = () => new Promise((r) => setTimeout(r, 0));

function grid() {
  const y = loop.samples();
  post({ type: 'grid', step: loop.step, shape: y.shape, data: y.data }, [y.data.buffer]);
}

async function run() {
  running = true;
  let last = performance.now();
  while (running) {
    const r = loop.trainStep();
    const now = performance.now();
    post({ type: 'step', step: loop.step, epoch: r.epoch, batchIndex: r.batchIndex, stepsPerEpoch: loop.stepsPerEpoch, dReal: r.dReal, dFake: r.dFake, g: r.g, ms: now - last });
    last = now;
    if (loop.step % every === 0) grid();
    await tick();
  }
  post({ type: 'paused', step: loop.step });
}

async function start(m) {
  await init();
  let data;
  if (m.files) data = await fashionFromFiles(m.files, m.split);
  else {
    try {
      data = await fetchFashion(m.base, m.split, {
        onProgress: ({ file, loaded, total }) => post({ type: 'status', text: `Fetching ${file}.gz: ${(loaded / 2 ** 20).toFixed(1)}${total ? ` of ${(total / 2 ** 20).toFixed(1)}` : ''} MiB` }),
      });
    } catch (e) {
      post({ type: 'data-missing', message: e.message });
      return;
    }
  }
  every = Math.max(1, m.every | 0);
  loop = new GanLoop({ data, seed: m.seed, batch: m.batch });
  post({ type: 'ready', backend: getBackend(), n: data.n, stepsPerEpoch: loop.stepsPerEpoch });
  grid();
  run();
}

self.onmessage = async ({ data: m }) => {
  try {
    if (m.type === 'start') await start(m);
    else if (m.type === 'pause') running = false;
    else if (m.type === 'resume' && loop && !running) run();
    else if (m.type === 'every') every = Math.max(1, m.every | 0);
    else if (m.type === 'save' && loop) {
      const keras = saveModel(loop.g, { format: 'keras' });
      const { modelJSON, weightData } = saveModel(loop.g);
      post({ type: 'saved', what: m.what, step: loop.step, keras, modelJSON, weightData }, [keras.buffer, weightData]);
    }
  } catch (e) {
    running = false;
    post({ type: 'error', name: e.name, message: e.message });
  }
};
