// One process of the training bench for TensorFlow.js: the same DCGAN with tf.layers, the Keras
// GAN pattern (d.trainable = false before compiling the combined model; tfjs needs the flag
// toggled around each call, see step()). Its wasm backend has no
// Conv2DBackpropFilter (tfjs#8474), so only 'cpu' trains; with --backend wasm the process reports
// the error. The cpu backend is slow: --batch scales the step down and the runner extrapolates.
// Usage: node bench/train/tfjs_step.mjs --backend cpu|wasm [--batch 16] [--warmup 1] [--steps 2]
import { loadTfjs, useTfjsBackend } from '../tfjs_models.mjs';
import { LATENT } from './dcgan.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const backend = arg('backend', 'cpu');
const scale = Number(arg('batch', 128)) / 128;
const warmup = Number(arg('warmup', 1));
const steps = Number(arg('steps', 2));
const tf = await loadTfjs();
await useTfjsBackend(backend);
const L = tf.layers;
const g = tf.sequential({ layers: [
  L.dense({ units: 7 * 7 * 128, inputShape: [LATENT] }), L.leakyReLU({ alpha: 0.2 }), L.reshape({ targetShape: [7, 7, 128] }),
  L.conv2dTranspose({ filters: 128, kernelSize: 4, strides: 2, padding: 'same' }), L.leakyReLU({ alpha: 0.2 }),
  L.conv2dTranspose({ filters: 128, kernelSize: 4, strides: 2, padding: 'same' }), L.leakyReLU({ alpha: 0.2 }),
  L.conv2d({ filters: 1, kernelSize: 7, padding: 'same', activation: 'tanh' }),
] });
const d = tf.sequential({ layers: [
  L.conv2d({ filters: 64, kernelSize: 3, strides: 2, padding: 'same', inputShape: [28, 28, 1] }), L.leakyReLU({ alpha: 0.2 }), L.dropout({ rate: 0.4 }),
  L.conv2d({ filters: 64, kernelSize: 3, strides: 2, padding: 'same' }), L.leakyReLU({ alpha: 0.2 }), L.dropout({ rate: 0.4 }),
  L.flatten(), L.dense({ units: 1, activation: 'sigmoid' }),
] });
d.compile({ optimizer: tf.train.adam(2e-4, 0.5), loss: 'binaryCrossentropy' });
d.trainable = false;
const gan = tf.sequential({ layers: [g, d] });
gan.compile({ optimizer: tf.train.adam(2e-4, 0.5), loss: 'binaryCrossentropy' });
const h = Math.max(1, Math.round(64 * scale));
const real = tf.randomUniform([h, 28, 28, 1], -1, 1);
const labelsD = tf.concat([tf.ones([h, 1]), tf.zeros([h, 1])]);
const ones = tf.ones([2 * h, 1]);

async function step() {
  const t0 = performance.now();
  const fake = tf.tidy(() => g.predict(tf.randomNormal([h, LATENT])));
  await fake.data();
  const t1 = performance.now();
  const x = tf.concat([real, fake]);
  // tfjs reads the flags at each call, not at compile, and refuses the literal Keras pattern
  // ("variableGrads() expects at least one of the input variables to be trainable"): toggle them
  d.trainable = true;
  await d.trainOnBatch(x, labelsD);
  d.trainable = false;
  x.dispose();
  fake.dispose();
  const t2 = performance.now();
  const z = tf.randomNormal([2 * h, LATENT]);
  await gan.trainOnBatch(z, ones);
  z.dispose();
  const t3 = performance.now();
  return [t1 - t0, t2 - t1, t3 - t2, t3 - t0];
}

try {
  for (let i = 0; i < warmup; i++) await step();
  const rows = [];
  for (let i = 0; i < steps; i++) rows.push(await step());
  console.log(JSON.stringify({ impl: `tfjs-${backend}`, version: tf.version.tfjs, batchScale: scale, parts: ['g.predict(64)', 'd.train(128)', 'gan.train(128)', 'step'], ms: rows }));
} catch (e) {
  console.log(JSON.stringify({ impl: `tfjs-${backend}`, version: tf.version.tfjs, error: String(e.message ?? e).split('\n')[0] }));
}
