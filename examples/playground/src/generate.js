// The Generate tab: the default model's grid for a seed, a new batch on a click, sliders that
// offset a few latent dimensions of every sample, and an animated latent walk (slerp).
import { sampleLatents, tensor } from 'upconv';
import { describeInputs, detectRange, drawBatch, inputsFor, slerp } from './view.js';

const GRID = 64;
const WALK = 16;
const SLIDER_DIMS = [0, 1, 2, 3, 4, 5];
const $ = (id) => document.getElementById(id);

export function setupGenerate(app) {
  let entry = null; // { model, desc, range }
  let base = null; // the seed's latents
  const offsets = new Float32Array(SLIDER_DIMS.length);

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

  // the latent walk: WALK cells, each slerping through its own seeded keyframes
  let walk = null;
  function keyframe(k) {
    return sampleLatents(WALK, entry.desc.latent.shape, { seed: (Number($('gen-seed').value) * 31 + k * 7919 + 17) >>> 0 });
  }
  function walkFrame() {
    if (!walk) return;
    const frames = Math.max(4, Number($('walk-speed').value) || 24);
    const t = walk.frame / frames;
    const size = walk.a.data.length / WALK;
    for (let s = 0; s < WALK; s++) {
      slerp(walk.a.data.subarray(s * size, (s + 1) * size), walk.b.data.subarray(s * size, (s + 1) * size), t, walk.z.data.subarray(s * size, (s + 1) * size));
    }
    const y = entry.model.predict(inputsFor(entry.desc, walk.z));
    drawBatch($('walk-grid'), y, entry.range.range, { columns: 4, scale: 3 });
    $('walk-caption').textContent = `Latent walk: keyframe ${walk.k} → ${walk.k + 1}, frame ${walk.frame + 1} of ${frames}`;
    if (++walk.frame >= frames) {
      walk.frame = 0;
      walk.k++;
      walk.a = walk.b;
      walk.b = keyframe(walk.k + 1);
    }
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
    const a = keyframe(0);
    walk = { k: 0, frame: 0, a, b: keyframe(1), z: tensor(new Float32Array(a.data.length), a.shape), timer: 0 };
    $('walk-play').setAttribute('aria-pressed', 'true');
    $('walk-play').textContent = 'Stop walk';
    walkFrame();
  });

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
