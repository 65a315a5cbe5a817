// One measurement of the threads bench (bench/threads/run.mjs), in a fresh process: a bench shape
// (bench/shapes.mjs) on upconv (init({ threads })) or onnxruntime-web (env.wasm.numThreads), warmed
// up, then timed call by call for a budget. Prints one JSON line: the median ms per call, the CPU
// time the process got per call (process.cpuUsage, all threads), and a hash of the output bits.
//   node bench/threads/child.mjs --impl upconv|ort --threads N --shape ID [--budget ms] [--min n]
import { createRequire } from 'node:module';
import { buildOnnxGraph } from '../onnx_graph.mjs';
import { buildOnnxModel } from '../onnx_model.mjs';
import { buildUpconvModel } from '../impls.mjs';
import { buildUpconvGraph } from '../upconv_graph.mjs';
import { makeData, SHAPES } from '../shapes.mjs';
import { median, nchwToNhwc, nhwcToNchw } from '../util.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const impl = opt('impl', 'upconv');
const threads = Number(opt('threads', 1));
const shape = SHAPES.find((s) => s.id === opt('shape', 'generator-b1'));
if (!shape) throw new Error(`unknown shape ${opt('shape')}`);
const budget = Number(opt('budget', 1500));
const minSamples = Number(opt('min', 5));
const data = makeData(shape);

function hash(f32) {
  let h = 2166136261;
  const u = new Uint32Array(f32.buffer, f32.byteOffset, f32.length);
  for (let i = 0; i < u.length; i++) h = Math.imul(h ^ u[i], 16777619);
  return (h >>> 0).toString(16);
}

async function upconv() {
  const u = await import('../../dist/index.js');
  await u.init({ threads });
  const t = u.getThreads();
  if (t.threads !== threads) throw new Error(`init({ threads: ${threads} }) gave ${JSON.stringify(t)}`);
  const model = shape.graph ? buildUpconvGraph(u, shape, data) : buildUpconvModel(u, shape, data);
  const x = u.tensor(data.input, data.inputShape);
  let last = null;
  return { backend: `${u.getBackend()} ×${t.threads}`, run: () => { last = model.predict(x); }, output: () => last.data };
}

async function ort() {
  const require = createRequire(new URL('../package.json', import.meta.url));
  const mod = await import(require.resolve('onnxruntime-web'));
  const o = mod.default ?? mod;
  o.env.wasm.numThreads = threads;
  o.env.wasm.proxy = false;
  o.env.logLevel = 'error';
  const built = shape.graph ? buildOnnxGraph(shape, data.weights) : buildOnnxModel(shape, data.weights);
  const { bytes } = built;
  const session = await o.InferenceSession.create(bytes, {
    executionProviders: ['wasm'], graphOptimizationLevel: 'all', executionMode: 'sequential', intraOpNumThreads: threads, interOpNumThreads: 1,
  });
  const toOnnx = (values, dims) => (dims.length === 4 ? nhwcToNchw(values, dims) : values);
  // a graph's inputs are named after its input nodes; a chain model's input is 'x'
  const feeds = shape.graph
    ? Object.fromEntries(data.inputs.map((inp, i) => [built.inputs[i].name, new o.Tensor('float32', toOnnx(inp.data, inp.shape), built.inputs[i].dims)]))
    : { x: new o.Tensor('float32', toOnnx(data.input, data.inputShape), built.inputDims) };
  let last = null;
  return {
    backend: `onnxruntime-web ${o.env.versions?.web ?? '?'} ×${threads}`,
    run: async () => { last = (await session.run(feeds)).y; },
    output: () => (data.outputShape.length === 4 ? nchwToNhwc(last.data, data.outputShape) : last.data),
  };
}

try {
  const cell = impl === 'upconv' ? await upconv() : await ort();
  // warm-up: V8 tiers the kernels up; the pool's workers attach the model's memory
  const w0 = performance.now();
  for (let i = 0; i < 3 || performance.now() - w0 < 300; i++) await cell.run();
  const times = [];
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (times.length < minSamples || performance.now() - t0 < budget) {
    const s = performance.now();
    await cell.run();
    times.push(performance.now() - s);
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  console.log(JSON.stringify({
    impl, threads, shape: shape.id, backend: cell.backend, ms: median(times), samples: times.length,
    cpuPerCall: (cpu.user + cpu.system) / 1000 / times.length, wallPerCall: wall / times.length, hash: hash(cell.output()),
  }));
  process.exit(0);
} catch (e) {
  console.log(JSON.stringify({ impl, threads, shape: shape.id, error: String(e?.message ?? e) }));
  process.exit(0);
}
