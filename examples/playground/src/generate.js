// The Generate tab: the default model's grid for a seed, a new batch on a click, sliders that
// offset a few latent dimensions of every sample, and an animated latent walk (latentWalk: slerp).
import { latentWalk, sampleLatents, tensor } from 'upconv';
import { describeInputs, detectRange, drawBatch, inputsFor } from './view.js';

const GRID = 64;
const WALK = 16;
const SEGMENTS = 8;
const SLIDER_DIMS = [0, 1, 2, 3, 4, 5];
const $ = (id) => document.getElementById(id);

export function setupGenerate(app) {
  let entry = null; // { model, desc, range }
  let base = null; // the seed's latents
  const offsets = new Float32Array(SLIDER_DIMS.length);
  let walk = null; // the playing latent walk

  function latents() {
    const z = base.data.slice();
    const size = z.length / GRID;
    for (let s = 0; s < GRID; s++) SLIDER_DIMS.forEach((d, k) => (z[s * size + d] += offsets[k]));
    return tensor(z, base.shape);
  }

  function draw() {
    if (!entry) return;
    const t0 = performance.now();
    const y = entry.model.predict(inputsFor(entry.desc, latents()));
    const ms = performance.now() - t0;
    const what = drawBatch($('gen-grid'), y, entry.range.range, { columns: 8, scale: 2 });
    const seed = Number($('gen-seed').value);
    $('gen-caption').textContent = `${what}, seed ${seed}, ${ms.toFixed(1)} ms on ${app.backendName()}; range ${entry.range.label}`;
    $('gen-grid').setAttribute('aria-label', `${GRID} generated samples for seed ${seed}`);
    app.state.generate = { seed, draws: (app.state.generate?.draws ?? 0) + 1 };
  }

  function setSeed(seed) {
    const dim = entry.desc.latent.shape;
    base = sampleLatents(GRID, dim, { seed });
    draw();
    if (walk) restartWalk(); // the walk follows the seed
  }

  function seedFromField() {
    const v = Number($('gen-seed').value);
    if (!Number.isInteger(v) || v < 0 || v > 2 ** 32 - 1) {
      $('gen-caption').textContent = 'The seed must be a whole number from 0 to 4294967295.';
      return;
    }
    setSeed(v);
  }

  // sliders
  const box = $('gen-sliders');
  SLIDER_DIMS.forEach((d, k) => {
    const label = document.createElement('label');
    label.innerHTML = `<span>latent dimension ${d}: <output id="gen-slider-${k}-out">+0.0</output></span>`;
    const input = document.createElement('input');
    Object.assign(input, { type: 'range', min: '-3', max: '3', step: '0.1', value: '0', id: `gen-slider-${k}` });
    input.setAttribute('aria-label', `Offset added to latent dimension ${d}`);
    input.addEventListener('input', () => {
      offsets[k] = Number(input.value);
      $(`gen-slider-${k}-out`).textContent = `${offsets[k] >= 0 ? '+' : ''}${offsets[k].toFixed(1)}`;
      draw();
    });
    label.append(input);
    box.append(label);
  });
  $('gen-sliders-reset').addEventListener('click', () => {
    offsets.fill(0);
    SLIDER_DIMS.forEach((_, k) => {
      $(`gen-slider-${k}`).value = '0';
      $(`gen-slider-${k}-out`).textContent = '+0.0';
    });
    draw();
  });

  $('gen-draw').addEventListener('click', seedFromField);
  $('gen-seed').addEventListener('change', seedFromField);
  $('gen-seed').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') seedFromField();
  });
  $('gen-new').addEventListener('click', () => {
    const seed = Math.floor(Math.random() * 2 ** 32);
    $('gen-seed').value = String(seed);
    setSeed(seed);
  });

  // the latent walk: WALK cells, each its own latentWalk (upconv's slerp through SEGMENTS + 1
  // seeded latents), played forward and back so it never jumps
  function chains(frames) {
    const seed = Number($('gen-seed').value) >>> 0;
    return Array.from({ length: WALK }, (_, c) => latentWalk(frames, entry.desc.latent.shape, { seed: (Math.imul(seed, WALK) + c) >>> 0, walks: SEGMENTS }).data);
  }
  function startWalk() {
    const frames = Math.min(240, Math.max(4, Math.round(Number($('walk-speed').value)) || 24));
    const size = entry.desc.latent.shape.reduce((a, b) => a * b, 1);
    walk = { frames, size, chains: chains(frames), f: 0, dir: 1, timer: 0, z: tensor(new Float32Array(WALK * size), [WALK, ...entry.desc.latent.shape]) };
  }
  function walkFrame() {
    if (!walk) return;
    const { frames, size } = walk;
    const last = SEGMENTS * (frames - 1); // the rows' shared ends counted once
    const seg = Math.min(Math.floor(walk.f / (frames - 1)), SEGMENTS - 1);
    const row = seg * frames + (walk.f - seg * (frames - 1));
    for (let c = 0; c < WALK; c++) walk.z.data.set(walk.chains[c].subarray(row * size, (row + 1) * size), c * size);
    const y = entry.model.predict(inputsFor(entry.desc, walk.z));
    drawBatch($('walk-grid'), y, entry.range.range, { columns: 4, scale: 3 });
    $('walk-caption').textContent = `Latent walk: latent ${seg + 1} → ${seg + 2} of ${SEGMENTS + 1}, frame ${walk.f - seg * (frames - 1) + 1} of ${frames}${walk.dir < 0 ? ' (backwards)' : ''}`;
    if ((walk.f === last && walk.dir > 0) || (walk.f === 0 && walk.dir < 0)) walk.dir = -walk.dir;
    walk.f += walk.dir;
    app.state.walkFrames = (app.state.walkFrames ?? 0) + 1;
    walk.timer = setTimeout(() => requestAnimationFrame(walkFrame), 40);
  }
  function stopWalk() {
    if (!walk) return;
    clearTimeout(walk.timer);
    walk = null;
    $('walk-play').setAttribute('aria-pressed', 'false');
    $('walk-play').textContent = 'Play walk';
    $('walk-caption').textContent = 'Latent walk: stopped';
  }
  $('walk-play').addEventListener('click', () => {
    if (!entry) return;
    if (walk) return stopWalk();
    startWalk();
    $('walk-play').setAttribute('aria-pressed', 'true');
    $('walk-play').textContent = 'Stop walk';
    walkFrame();
  });
  function restartWalk() {
    clearTimeout(walk.timer);
    startWalk();
    walkFrame();
  }
  $('walk-speed').addEventListener('change', () => walk && restartWalk());

  return {
    /** Shows a model (the default one). */
    show(model, about) {
      stopWalk();
      const desc = describeInputs(model);
      if (desc.problem) throw new Error(desc.problem);
      entry = { model, desc, range: detectRange(model) };
      $('gen-model').textContent = about;
      seedFromField();
    },
    stopWalk,
  };
}
