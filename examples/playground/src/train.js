// The Train tab: settings, Start / Pause / Resume, the worker's progress (step, losses, ms per
// step), the loss curves, the sample grid every N steps, and downloads of the generator as a
// Keras .keras file and as TensorFlow.js files (model.json + weights), from upconv/io saveModel.
import { tensor } from 'upconv';
import { lossPlotSVG } from '../../fashion/plot.mjs';
import { drawBatch } from './view.js';

const $ = (id) => document.getElementById(id);

function download(name, bytes, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function setupTrain(app) {
  let worker = null;
  let state = 'idle'; // idle | loading | running | paused
  const losses = { 'd loss on real': [], 'd loss on fake': [], 'g loss': [] };
  const st = (app.state.train = { steps: 0, losses: [], grids: 0, error: null, saved: [] });
  let plotDue = 0;

  const setState = (s) => {
    state = s;
    $('train-start').disabled = s === 'running' || s === 'loading';
    $('train-start').textContent = s === 'paused' ? 'Resume' : 'Start';
    $('train-pause').disabled = s !== 'running';
    $('train-save-keras').disabled = $('train-save-tfjs').disabled = !(s === 'running' || s === 'paused');
    for (const id of ['train-seed', 'train-batch', 'train-split']) $(id).disabled = s !== 'idle';
  };

  function plot(force) {
    const now = performance.now();
    if (!force && now < plotDue) return;
    plotDue = now + 500;
    $('train-plot').innerHTML = lossPlotSVG(losses, { width: 560, height: 280, title: 'Fashion-MNIST DCGAN' });
    const last = (k) => losses[k].at(-1)?.toFixed(3) ?? 'none yet';
    $('train-plot').setAttribute('aria-label', `Loss curves over ${losses['g loss'].length} steps; latest d loss on real ${last('d loss on real')}, on fake ${last('d loss on fake')}, g loss ${last('g loss')}`);
  }

  function onMessage({ data: m }) {
    if (m.type === 'status') $('train-status').textContent = m.text;
    else if (m.type === 'data-missing') {
      setState('idle');
      worker.terminate();
      worker = null;
      $('train-files-box').hidden = false;
      $('train-status').textContent = `No Fashion-MNIST files next to this site (${m.message}). Choose the IDX files (gzipped or plain) from Zalando's release, then press Start.`;
    } else if (m.type === 'ready') {
      $('train-status').textContent = `Training on ${m.backend} in a worker: ${m.n.toLocaleString('en')} images, ${m.stepsPerEpoch} steps per epoch.`;
      st.backend = m.backend;
    } else if (m.type === 'step') {
      for (const [k, v] of [['d loss on real', m.dReal], ['d loss on fake', m.dFake], ['g loss', m.g]]) losses[k].push(v);
      st.steps = m.step;
      st.losses.push([m.dReal, m.dFake, m.g]);
      $('train-progress').textContent = `epoch ${m.epoch + 1}, step ${m.step} (${m.batchIndex + 1}/${m.stepsPerEpoch})  d_real ${m.dReal.toFixed(3)}  d_fake ${m.dFake.toFixed(3)}  g ${m.g.toFixed(3)}  ${m.ms.toFixed(0)} ms/step`;
      plot(false);
    } else if (m.type === 'grid') {
      const what = drawBatch($('train-grid'), tensor(m.data, m.shape), 'tanh', { columns: 8, scale: 2 });
      $('train-caption').textContent = `${what} after step ${m.step} (fixed latents)`;
      $('train-grid').setAttribute('aria-label', `Samples after training step ${m.step}`);
      st.grids++;
    } else if (m.type === 'paused') {
      setState('paused');
      plot(true);
      $('train-status').textContent = `Paused at step ${m.step}.`;
    } else if (m.type === 'saved') {
      if (m.what === 'keras') download(`fashion-generator-step${m.step}.keras`, m.keras, 'application/zip');
      else {
        download('model.json', JSON.stringify(m.modelJSON), 'application/json');
        download(m.modelJSON.weightsManifest[0].paths[0], m.weightData, 'application/octet-stream');
      }
      st.saved.push(m.what);
      $('train-status').textContent = `Saved the generator after step ${m.step} as ${m.what === 'keras' ? 'a .keras file' : 'TensorFlow.js files (model.json and its weights)'}.`;
    } else if (m.type === 'error') {
      st.error = `${m.name}: ${m.message}`;
      $('train-status').textContent = `Training stopped: ${st.error}`;
      setState(loopStarted() ? 'paused' : 'idle');
    }
  }
  const loopStarted = () => st.steps > 0;

  function start(files) {
    worker = new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module', name: 'upconv-train' });
    worker.onmessage = onMessage;
    worker.onerror = (e) => {
      st.error = e.message;
      $('train-status').textContent = `The training worker failed: ${e.message}`;
      setState('idle');
    };
    setState('loading');
    $('train-status').textContent = 'Starting the training worker…';
    worker.postMessage({
      type: 'start', base: new URL('./data/', document.baseURI).href, split: $('train-split').value, files,
      seed: Number($('train-seed').value) >>> 0, batch: Number($('train-batch').value), every: Number($('train-every').value),
    });
    setState('running');
  }

  $('train-start').addEventListener('click', () => {
    if (state === 'paused') {
      worker.postMessage({ type: 'resume' });
      setState('running');
      $('train-status').textContent = 'Training…';
    } else if (state === 'idle') {
      const files = $('train-files').files;
      start(!$('train-files-box').hidden && files.length ? [...files] : undefined);
    }
  });
  $('train-pause').addEventListener('click', () => worker?.postMessage({ type: 'pause' }));
  $('train-every').addEventListener('change', () => worker?.postMessage({ type: 'every', every: Number($('train-every').value) }));
  $('train-save-keras').addEventListener('click', () => worker?.postMessage({ type: 'save', what: 'keras' }));
  $('train-save-tfjs').addEventListener('click', () => worker?.postMessage({ type: 'save', what: 'tfjs' }));
  setState('idle');
}
