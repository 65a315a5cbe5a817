// Backward passes of the merge / data-movement layers on generator-sized tensors: each op behind
// a trainable PReLU (so its input gradients are needed), one computeGradients step at a time with
// the step profile on; prints the op's forward and backward ms (medians) and the backward's
// memory traffic in GB/s (the output gradient read, the inputs it reads, the input gradients
// written once). Runs the TypeScript sources bundled by esbuild (the profile is internal).
//   node --experimental-wasm-relaxed-simd bench/train/merge_grads.mjs [--flavours relaxed-simd,simd,scalar,js] [--runs 7]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const FLAVOURS = opt('--flavours', 'simd,scalar,js').split(',');
const RUNS = Number(opt('--runs', '7'));

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = await mkdtemp(join(os.tmpdir(), 'upconv-merge-grads-'));
const prod = (s) => s.reduce((a, b) => a * b, 1);
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

try {
  const entry = join(dir, 'entry.ts');
  await writeFile(entry, `export * from ${JSON.stringify(join(root, 'bindings/index.ts'))};\nexport { stepProfile } from ${JSON.stringify(join(root, 'bindings/train/step.ts'))};\n`);
  const out = join(dir, 'upconv.mjs');
  await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', outfile: out, logLevel: 'error' });
  const U = await import(pathToFileURL(out).href);

  /** [name, input sample shapes, layer, floats the backward reads besides dy (inputs), floats it writes] */
  const CASES = [
    ['Add equal 128x128x64', [[128, 128, 64], [128, 128, 64]], () => new U.Add()],
    ['Add per-channel (C) + 128x128x64', [[128, 128, 64], [64]], () => new U.Add()],
    ['Multiply equal 128x128x64', [[128, 128, 64], [128, 128, 64]], () => new U.Multiply()],
    ['Multiply (N,1,1,C) gate 128x128x64', [[128, 128, 64], [1, 1, 64]], () => new U.Multiply()],
    ['Maximum equal 128x128x64', [[128, 128, 64], [128, 128, 64]], () => new U.Maximum()],
    ['Average of 3, 64x64x64', [[64, 64, 64], [64, 64, 64], [64, 64, 64]], () => new U.Average()],
    ['PReLU shared (1,2) 128x128x64', [[128, 128, 64]], () => new U.PReLU({ sharedAxes: [1, 2] })],
    ['Concatenate channels 64+64 at 128x128', [[128, 128, 64], [128, 128, 64]], () => new U.Concatenate()],
    ['ZeroPadding2D 1 on 128x128x64', [[128, 128, 64]], () => new U.ZeroPadding2D(1)],
    ['ReflectionPadding2D 3 on 256x256x3', [[256, 256, 3]], () => new U.ReflectionPadding2D(3)],
    ['Cropping2D 4 on 136x136x64', [[136, 136, 64]], () => new U.Cropping2D(4)],
  ];

  console.log(`one sample; the op's own steps; medians of ${RUNS} computeGradients calls`);
  console.log(`| op | ${FLAVOURS.map((f) => `${f} fwd ms | ${f} bwd ms (GB/s)`).join(' | ')} |`);
  console.log(`|---|${FLAVOURS.map(() => '---|---').join('|')}|`);
  for (const [name, shapes, make] of CASES) {
    const cells = [];
    for (const f of FLAVOURS) {
      if (f === 'js') U.setBackend('js');
      else {
        await U.init(undefined, { flavour: f });
        U.setBackend('wasm');
      }
      U.setSeed(1);
      const inputs = shapes.map((s) => U.Input({ shape: s }));
      const pre = inputs.map((t) => new U.PReLU({ sharedAxes: t.shape.length > 2 ? [1, 2] : null }).apply(t));
      const layer = make();
      layer.name; // eslint-disable-line no-unused-expressions
      const y = layer.apply(pre.length === 1 ? pre[0] : pre);
      const model = new U.Model({ inputs, outputs: y });
      const xs = shapes.map((s) => U.tensor(Float32Array.from({ length: prod(s) }, () => Math.random() * 2 - 1), [1, ...s]));
      const outShape = model.outputs[0].shape.slice(1);
      const target = U.tensor(new Float32Array(prod(outShape)), [1, ...outShape]);
      const x = xs.length === 1 ? xs[0] : xs;
      for (let k = 0; k < 2; k++) model.computeGradients(x, target, { loss: 'mse' });
      const fwd = [], bwd = [];
      U.stepProfile.on = true;
      for (let k = 0; k < RUNS; k++) {
        U.stepProfile.ms.clear();
        model.computeGradients(x, target, { loss: 'mse' });
        fwd.push(U.stepProfile.ms.get(`${layer.name} fwd`) ?? 0);
        bwd.push(U.stepProfile.ms.get(`${layer.name} bwd`) ?? 0);
      }
      U.stepProfile.on = false;
      const reads = ['Multiply', 'Maximum', 'PReLU'].includes(layer.className) ? shapes.reduce((n, s) => n + prod(s), 0) : 0;
      const bytes = 4 * (prod(outShape) + reads + shapes.reduce((n, s) => n + prod(s), 0));
      const b = median(bwd);
      cells.push(`${median(fwd).toFixed(3)} | ${b.toFixed(3)} (${(bytes / (b * 1e6)).toFixed(1)})`);
    }
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
