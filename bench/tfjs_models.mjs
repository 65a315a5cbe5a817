// TensorFlow.js peers: @tensorflow/tfjs on its 'cpu' backend (plain JS) and on
// @tensorflow/tfjs-backend-wasm (XNNPACK + its own kernels, SIMD build, one thread).
//
// Models are tf.sequential() stacks of tf.layers with the shape's Keras weights set by setWeights
// (tfjs-layers uses Keras's kernel layouts). One exception: tfjs-layers' UpSampling2D calls
// resizeBilinear without half-pixel centres, which is not what Keras computes, so upsampling shapes
// call tf.image.resizeNearestNeighbor / resizeBilinear(x, size, alignCorners = false,
// halfPixelCenters = true) directly. Each timed call includes reading the output back (dataSync),
// as upconv's predict includes copying its output out.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let tf = null;

/** Loads tfjs once and registers the wasm backend (files from node_modules, no network). */
export async function loadTfjs() {
  if (tf) return tf;
  const t = await import('@tensorflow/tfjs');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // bench/node_modules (npm ci --prefix bench): the .wasm files beside the package's main file
  const dir = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')), '/');
  wasm.setWasmPaths(dir);
  // one thread: never pick the threaded-simd build
  t.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  // what a deployment does: skips debug checks (and the "install tfjs-node" banner in Node)
  t.enableProdMode();
  tf = t;
  return tf;
}

/** Makes `name` ('cpu' | 'wasm') the active tfjs backend; throws with the reason if it can't. */
export async function useTfjsBackend(name) {
  const t = await loadTfjs();
  if (t.getBackend() === name) return;
  const ok = await t.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') failed`);
  await t.ready();
}

export function tfjsVersion() {
  return tf ? tf.version.tfjs : null;
}

function layerOf(t, l, first) {
  const opts = first ? { inputShape: first } : {};
  switch (l.kind) {
    case 'dense':
      return t.layers.dense({ units: l.units, activation: l.activation ?? 'linear', ...opts });
    case 'leaky':
      return t.layers.leakyReLU({ alpha: l.alpha, ...opts });
    case 'reshape':
      return t.layers.reshape({ targetShape: l.target, ...opts });
    case 'convT':
      return t.layers.conv2dTranspose({ filters: l.filters, kernelSize: l.kernel, strides: l.strides, padding: l.padding, activation: l.activation ?? 'linear', ...opts });
    case 'conv':
      return t.layers.conv2d({ filters: l.filters, kernelSize: l.kernel, strides: l.strides ?? [1, 1], padding: l.padding, activation: l.activation ?? 'linear', ...opts });
    default:
      throw new Error(`tfjs: layer kind ${l.kind} not supported as a layer`);
  }
}

/**
 * Builds a shape on the active backend. Returns { run() → output tensor, dispose() }; the caller
 * reads and disposes each output.
 */
export function buildTfjsModel(shape, data) {
  const t = tf;
  const x = t.tensor(data.input, data.inputShape);
  if (shape.layers.every((l) => l.kind === 'up')) {
    const [l] = shape.layers;
    if (shape.layers.length !== 1) throw new Error('tfjs: one upsampling op per shape');
    const size = [shape.input[0] * l.size[0], shape.input[1] * l.size[1]];
    const op = l.interpolation === 'nearest'
      ? () => t.image.resizeNearestNeighbor(x, size, false, false)
      : () => t.image.resizeBilinear(x, size, false, true);
    return { run: op, dispose: () => x.dispose() };
  }
  const model = t.sequential();
  shape.layers.forEach((l, i) => model.add(layerOf(t, l, i === 0 ? shape.input : null)));
  const weights = data.weights.map((w) => t.tensor(w.data, w.shape));
  model.setWeights(weights);
  for (const w of weights) w.dispose();
  const batchSize = shape.batch; // predict() would otherwise split the batch into chunks of 32
  return {
    run: () => model.predict(x, { batchSize }),
    dispose: () => {
      x.dispose();
      model.dispose();
    },
  };
}
