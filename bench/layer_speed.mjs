// Rough per-layer speed check of the depthwise and normalisation layers on every build:
// median milliseconds of predictInto over repeated runs in one process (batch 1).
//   npm run build && node --experimental-wasm-relaxed-simd bench/layer_speed.mjs [--runs n]
// Without the flag the relaxed-SIMD build is skipped. Figures are for this machine only.
import {
  DepthwiseConv2D, GroupNormalization, init, InstanceNormalization, LayerNormalization, PixelNormalization,
  SeparableConv2D, Sequential, setBackend, tensor,
} from '../dist/index.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 30;

const CASES = [
  { name: 'DepthwiseConv2D 3x3 same, 96x96x64', shape: [96, 96, 64], layer: (s) => new DepthwiseConv2D(3, { padding: 'same', inputShape: s }) },
  { name: 'DepthwiseConv2D 3x3 same, 96x96x192 (Fast-SRGAN block)', shape: [96, 96, 192], layer: (s) => new DepthwiseConv2D(3, { padding: 'same', inputShape: s }) },
  { name: 'DepthwiseConv2D 3x3 s2 M2, 96x96x32', shape: [96, 96, 32], layer: (s) => new DepthwiseConv2D(3, { strides: 2, depthMultiplier: 2, padding: 'same', inputShape: s }) },
  { name: 'SeparableConv2D 3x3 64→64, 96x96x64', shape: [96, 96, 64], layer: (s) => new SeparableConv2D(64, 3, { padding: 'same', inputShape: s }) },
  { name: 'InstanceNormalization (tfa), 256x256x64', shape: [256, 256, 64], layer: (s) => new InstanceNormalization({ inputShape: s }) },
  { name: 'GroupNormalization groups 8, 128x128x64', shape: [128, 128, 64], layer: (s) => new GroupNormalization({ groups: 8, inputShape: s }) },
  { name: 'LayerNormalization axis -1, 128x128x64', shape: [128, 128, 64], layer: (s) => new LayerNormalization({ inputShape: s }) },
  { name: 'PixelNormalization, 128x128x256', shape: [128, 128, 256], layer: (s) => new PixelNormalization({ inputShape: s }) },
];

const builds = [];
for (const flavour of ['relaxed-simd', 'simd', 'scalar']) {
  try {
    await init(undefined, { flavour });
    builds.push(flavour);
  } catch {
    console.log(`(${flavour} not available in this process)`);
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(model, x, out, n) {
  model.predictInto(x, out); // plan and warm up
  model.predictInto(x, out);
  const ts = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    model.predictInto(x, out);
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

console.log(`median ms of ${runs} predictInto runs, batch 1 (js: ${Math.max(3, Math.floor(runs / 5))} runs)`);
console.log(['layer', ...builds.map((b) => `wasm-${b}`), 'js', 'js / simd'].join(' | '));
for (const c of CASES) {
  const row = [c.name];
  const values = new Float32Array(c.shape.reduce((a, b) => a * b, 1)).map((_, i) => Math.sin(i * 0.37) * 2);
  const x = tensor(values, [1, ...c.shape]);
  const ms = {};
  for (const b of [...builds, 'js']) {
    if (b === 'js') setBackend('js');
    else {
      await init(undefined, { flavour: b });
      setBackend('wasm');
    }
    const model = new Sequential([c.layer(c.shape)]);
    const out = model.predict(x);
    ms[b] = time(model, x, out, b === 'js' ? Math.max(3, Math.floor(runs / 5)) : runs);
    row.push(ms[b].toFixed(2));
  }
  row.push(ms.simd ? (ms.js / ms.simd).toFixed(0) + '×' : 'n/a');
  console.log(row.join(' | '));
}
