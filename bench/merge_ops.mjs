// Micro-benchmark of the data-movement / elementwise ops of issue #10 (merges, Concatenate,
// padding, DepthToSpace, PReLU) on generator-sized tensors: one op per model, per backend build.
// Times the op's own kernel calls (the plan's steps, after one predictInto planned them), not the
// copies of inputs and outputs in and out of backend memory, which at these sizes fall out of the
// caches and dominate predictInto. Reports the median time and the bytes the op moves per second
// (each input read once + the output written once).
//   node [--experimental-wasm-relaxed-simd] bench/merge_ops.mjs [--flavours relaxed-simd,simd,scalar,js] [--ms 400]
// Needs `npm run build` first (it runs dist/index.js).
import * as u from '../dist/index.js';
import { median, rng, uniform } from './util.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const FLAVOURS = opt('--flavours', 'simd,scalar,js').split(',');
const BUDGET = Number(opt('--ms', '400'));

/** [name, input sample shapes, make output tensor from inputs] */
const CASES = [
  ['Add equal 128x128x64', [[128, 128, 64], [128, 128, 64]], (x) => new u.Add().apply(x)],
  ['Add per-channel (C) + 128x128x64', [[128, 128, 64], [64]], (x) => new u.Add().apply(x)],
  ['Multiply per-channel 128x128x3 (C=3)', [[128, 128, 3], [3]], (x) => new u.Multiply().apply(x)],
  ['Add per-row (H,1,1) + 128x128x64', [[128, 128, 64], [128, 1, 1]], (x) => new u.Add().apply(x)],
  ['Average of 3, 64x64x64', [[64, 64, 64], [64, 64, 64], [64, 64, 64]], (x) => new u.Average().apply(x)],
  ['PReLU shared (1,2) 128x128x64', [[128, 128, 64]], (x) => new u.PReLU({ sharedAxes: [1, 2] }).apply(x[0])],
  ['Concatenate channels 64+64 at 128x128', [[128, 128, 64], [128, 128, 64]], (x) => new u.Concatenate().apply(x)],
  ['Concatenate channels 3+1 at 256x256', [[256, 256, 3], [256, 256, 1]], (x) => new u.Concatenate().apply(x)],
  ['ZeroPadding2D 1 on 128x128x64', [[128, 128, 64]], (x) => new u.ZeroPadding2D(1).apply(x[0])],
  ['ReflectionPadding2D 3 on 256x256x3', [[256, 256, 3]], (x) => new u.ReflectionPadding2D(3).apply(x[0])],
  ['ReflectionPadding2D 1 on 64x64x256', [[64, 64, 256]], (x) => new u.ReflectionPadding2D(1).apply(x[0])],
  ['Cropping2D 4 on 136x136x64', [[136, 136, 64]], (x) => new u.Cropping2D(4).apply(x[0])],
  ['DepthToSpace b=2 128x128x12 -> 256x256x3', [[128, 128, 12]], (x) => new u.TFOpLambda({ function: 'nn.depth_to_space' }).apply(x[0], { kwargs: { block_size: 2 } })],
  ['DepthToSpace b=2 64x64x256 -> 128x128x64', [[64, 64, 256]], (x) => new u.TFOpLambda({ function: 'nn.depth_to_space' }).apply(x[0], { kwargs: { block_size: 2 } })],
];

const prod = (s) => s.reduce((a, b) => a * b, 1);

async function timeCase([name, shapes, make], flavour) {
  if (flavour === 'js') u.setBackend('js');
  else {
    await u.init(undefined, { flavour });
    u.setBackend('wasm');
  }
  const inputs = shapes.map((s) => u.Input({ shape: s }));
  const model = new u.Model({ inputs, outputs: make(inputs) });
  const r = rng(7);
  const xs = shapes.map((s) => u.tensor(uniform(r, prod(s), 1), [1, ...s]));
  const outShape = model.outputs[0].shape.slice(1);
  const out = u.tensor(new Float32Array(prod(outShape)), [1, ...outShape]);
  const x = xs.length === 1 ? xs[0] : xs;
  model.predictInto(x, out);
  const steps = model.plan.steps; // internal: the bound kernel calls of this batch size
  const run = () => { for (let i = 0; i < steps.length; i++) steps[i](); };
  for (let i = 0; i < 3; i++) run();
  const times = [];
  const start = performance.now();
  while (performance.now() - start < BUDGET || times.length < 5) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  const bytes = 4 * (shapes.reduce((n, s) => n + prod(s), 0) + prod(outShape));
  const ms = median(times);
  return { ms, gbs: bytes / (ms * 1e6) };
}

console.log(`| op | ${FLAVOURS.map((f) => `${f} ms (GB/s)`).join(' | ')} |`);
console.log(`|---|${FLAVOURS.map(() => '---').join('|')}|`);
for (const c of CASES) {
  const cells = [];
  for (const f of FLAVOURS) {
    const { ms, gbs } = await timeCase(c, f);
    cells.push(`${ms.toFixed(3)} (${gbs.toFixed(1)})`);
  }
  console.log(`| ${c[0]} | ${cells.join(' | ')} |`);
}
