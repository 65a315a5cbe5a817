// The implementations the bench compares, behind one small adapter interface:
//
//   { id, label, applies(shape), load() → { version, backend }, activate(), prepare(shape, data) → cell }
//   cell: { run() (sync, or async for ORT), isAsync, output() → Float32Array (NHWC / flat), dispose() }
//
// load() throws when the implementation cannot run here (the suite records "n/a" and the reason).
// activate() switches global state (upconv's backend, tfjs's backend) before a block of calls.
// Every cell builds its model and input once; run() is one full inference with the input already
// in the implementation's own format, and includes getting the output back into JS memory.
import { createRequire } from 'node:module';
import { nchwToNhwc, nhwcToNchw } from './util.mjs';
import { buildOnnxModel } from './onnx_model.mjs';
import { buildTfjsModel, loadTfjs, tfjsVersion, useTfjsBackend } from './tfjs_models.mjs';

const require = createRequire(import.meta.url);
const size = (s) => s.reduce((a, b) => a * b, 1);

// --- upconv ---------------------------------------------------------------------------------------

let upconv = null;

async function loadUpconv() {
  // the built package (dist/index.js, what `import 'upconv'` gives in Node): bench/ has its own package.json
  if (!upconv) upconv = await import('../dist/index.js');
  return upconv;
}

function upconvVersion() {
  try {
    return require('../package.json').version;
  } catch {
    return '?';
  }
}

function buildUpconvModel(u, shape, data) {
  const m = new u.Sequential();
  shape.layers.forEach((l, i) => {
    const first = i === 0 ? { inputShape: shape.input } : {};
    switch (l.kind) {
      case 'dense':
        m.add(new u.Dense(l.units, { activation: l.activation ?? null, ...first }));
        break;
      case 'leaky':
        m.add(new u.LeakyReLU({ alpha: l.alpha, ...first }));
        break;
      case 'reshape':
        m.add(new u.Reshape(l.target, first));
        break;
      case 'convT':
        m.add(new u.Conv2DTranspose(l.filters, l.kernel, { strides: l.strides, padding: l.padding, activation: l.activation ?? null, ...first }));
        break;
      case 'conv':
        m.add(new u.Conv2D(l.filters, l.kernel, { strides: l.strides ?? [1, 1], padding: l.padding, activation: l.activation ?? null, ...first }));
        break;
      case 'up':
        m.add(new u.UpSampling2D({ size: l.size, interpolation: l.interpolation, ...first }));
        break;
      default:
        throw new Error(`upconv: layer kind ${l.kind}`);
    }
  });
  m.setWeights(data.weights.map((w) => u.tensor(w.data, w.shape)));
  return m;
}

/**
 * upconv on one backend: flavour 'relaxed-simd' | 'simd' | 'scalar' (the WASM builds) or 'js'
 * (the TypeScript reference backend). `mode` 'into': time predictInto with a reused output tensor;
 * 'io': predictInto on the model's ioTensors (input and output live in its memory: no copies).
 */
function upconvImpl(flavour, mode) {
  const into = !!mode;
  const backendName = flavour === 'js' ? 'js' : `wasm-${flavour}`;
  const short = flavour === 'relaxed-simd' ? 'relaxed' : flavour;
  const activate = async () => {
    const u = await loadUpconv();
    if (flavour === 'js') {
      u.setBackend('js');
    } else {
      await u.init(undefined, { flavour });
      u.setBackend('wasm');
    }
    const got = u.getBackend();
    if (got !== backendName) throw new Error(`upconv runs on '${got}', expected '${backendName}'`);
  };
  return {
    id: `upconv-${short}${mode ? `-${mode}` : ''}`,
    label: `upconv ${short}${mode === 'io' ? ' (ioTensors)' : mode ? ' (predictInto)' : ''}`,
    family: 'upconv',
    flavour: short,
    into,
    applies: (shape) => !into || !!shape.into,
    async load() {
      await activate();
      return { version: upconvVersion(), backend: backendName };
    },
    activate,
    async prepare(shape, data) {
      const u = await loadUpconv();
      const model = buildUpconvModel(u, shape, data);
      const x = u.tensor(data.input, data.inputShape);
      if (mode === 'io') {
        const io = model.ioTensors(data.inputShape[0]);
        io.input.data.set(data.input); // written once, as a caller producing latents in place would
        return { isAsync: false, run: () => model.predictInto(io.input, io.output), output: () => io.output.data, dispose() {} };
      }
      if (into) {
        const out = new u.Tensor(new Float32Array(size(data.outputShape)), data.outputShape);
        return { isAsync: false, run: () => model.predictInto(x, out), output: () => out.data, dispose() {} };
      }
      let last = null;
      return {
        isAsync: false,
        run: () => {
          last = model.predict(x);
        },
        output: () => last.data,
        dispose() {},
      };
    },
  };
}

// --- TensorFlow.js ------------------------------------------------------------------------------------

function tfjsImpl(backend) {
  return {
    id: `tfjs-${backend}`,
    label: `tfjs ${backend}`,
    family: 'peer',
    applies: () => true,
    async load() {
      await useTfjsBackend(backend);
      return { version: tfjsVersion(), backend };
    },
    activate: () => useTfjsBackend(backend),
    async prepare(shape, data) {
      const tf = await loadTfjs();
      const model = buildTfjsModel(shape, data);
      let last = null;
      return {
        isAsync: false,
        run: () => {
          const y = model.run();
          last = y.dataSync();
          y.dispose();
        },
        output: () => last,
        dispose: () => model.dispose(),
        tensors: () => tf.memory().numTensors,
      };
    },
  };
}

// --- onnxruntime-web ----------------------------------------------------------------------------------

let ort = null;

async function loadOrt() {
  if (ort) return ort;
  const mod = await import('onnxruntime-web');
  ort = mod.default ?? mod;
  ort.env.wasm.numThreads = 1; // no worker threads
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  return ort;
}

function ortImpl() {
  return {
    id: 'ort-web',
    label: 'onnxruntime-web',
    family: 'peer',
    applies: () => true,
    async load() {
      const o = await loadOrt();
      // smoke test: a one-node model, so that a runtime that cannot start is reported as n/a here
      const { bytes } = buildOnnxModel({ batch: 1, input: [4], layers: [{ kind: 'leaky', alpha: 0.5 }] }, []);
      const session = await o.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
      const r = await session.run({ x: new o.Tensor('float32', Float32Array.from([-2, -1, 1, 2]), [1, 4]) });
      if (r.y.data[0] !== -1 || r.y.data[3] !== 2) throw new Error(`onnxruntime-web smoke test gave ${Array.from(r.y.data)}`);
      await session.release();
      return { version: o.env.versions?.web ?? '?', backend: 'wasm (SIMD, 1 thread)' };
    },
    async activate() {},
    async prepare(shape, data) {
      const o = await loadOrt();
      const { bytes, inputDims, outputDims } = buildOnnxModel(shape, data.weights);
      const session = await o.InferenceSession.create(bytes, {
        executionProviders: ['wasm'],
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
      });
      const input = data.inputShape.length === 4 ? nhwcToNchw(data.input, data.inputShape) : data.input;
      const x = new o.Tensor('float32', input, inputDims);
      let last = null;
      return {
        isAsync: true,
        run: async () => {
          const r = await session.run({ x });
          last = r.y;
        },
        output: () => {
          if (last.dims.join() !== outputDims.join()) throw new Error(`ORT output dims [${last.dims}] ≠ [${outputDims}]`);
          return data.outputShape.length === 4 ? nchwToNhwc(last.data, data.outputShape) : last.data;
        },
        dispose: () => session.release(),
      };
    },
  };
}

/** Every implementation the bench knows, in table order. */
export const IMPLEMENTATIONS = [
  upconvImpl('relaxed-simd', null),
  upconvImpl('simd', null),
  upconvImpl('scalar', null),
  upconvImpl('js', null),
  tfjsImpl('cpu'),
  tfjsImpl('wasm'),
  ortImpl(),
  upconvImpl('relaxed-simd', 'into'),
  upconvImpl('simd', 'into'),
  upconvImpl('scalar', 'into'),
  upconvImpl('js', 'into'),
  upconvImpl('relaxed-simd', 'io'),
  upconvImpl('simd', 'io'),
  upconvImpl('scalar', 'io'),
  upconvImpl('js', 'io'),
];

export function implById(id) {
  const impl = IMPLEMENTATIONS.find((i) => i.id === id);
  if (!impl) throw new Error(`unknown implementation '${id}' (known: ${IMPLEMENTATIONS.map((i) => i.id).join(', ')})`);
  return impl;
}
