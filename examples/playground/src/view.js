// What the playground needs to look at a generator: its output range (read from the last
// activation, as the CLI's `--range auto` does), its inputs (a latent, and a class label for
// conditional models), and drawing a batch of outputs on a canvas.
import { tensor, toImageData } from 'upconv';

/** Layers that keep the value range of their input (as upconv generate --range auto). */
const PASS_THROUGH = new Set(['Reshape', 'Flatten', 'Dropout', 'UpSampling2D', 'InputLayer']);
const RANGES = new Map([
  ['tanh', [-1, 1]], ['sigmoid', [0, 1]], ['hard_sigmoid', [0, 1]], ['hard_sigmoid_keras2', [0, 1]],
  ['softmax', [0, 1]], ['relu6', [0, 6]], ['softsign', [-1, 1]],
]);

/** { range: [lo, hi] | 'minmax', label } from the model's last activation. */
export function detectRange(model) {
  const layers = model.layers;
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i];
    if (PASS_THROUGH.has(l.className)) continue;
    const act = l.getConfig().activation;
    const known = typeof act === 'string' ? RANGES.get(act) : undefined;
    if (known) return { range: known, label: `${act} → [${known[0]}, ${known[1]}]` };
    return { range: 'minmax', label: `min/max of the samples (the last layer, ${l.name}, has ${typeof act === 'string' ? `activation '${act}'` : 'no bounded activation'})` };
  }
  return { range: 'minmax', label: 'min/max of the samples' };
}

function allLayers(model, out = []) {
  for (const l of model.layers) {
    out.push(l);
    if (Array.isArray(l.layers)) allLayers(l, out);
  }
  return out;
}

/**
 * How to feed the model: { latent: { index, shape }, label: { index, classes } | null, problem }.
 * A latent is a non-image input; a label input has one value per sample ([null, 1]); the number of
 * classes comes from an Embedding layer's input_dim (else 10).
 */
export function describeInputs(model) {
  const shapes = model.inputs.map((t) => t.shape.slice(1));
  const names = model.inputNames;
  const isLabel = (s) => s.length === 1 && s[0] === 1;
  const labelIdx = shapes.length === 2 ? shapes.findIndex(isLabel) : -1;
  const latentIdx = labelIdx >= 0 ? 1 - labelIdx : shapes.length === 1 ? 0 : -1;
  if (latentIdx < 0) return { problem: `the model has ${shapes.length} inputs (${names.join(', ')}); the playground feeds a latent, or a latent and a class label` };
  const latent = shapes[latentIdx];
  if (latent.some((d) => d == null)) return { problem: `input ${names[latentIdx]} has an open dimension [${latent.join(', ')}]` };
  if (latent.length >= 3) return { problem: `input ${names[latentIdx]} is an image [${latent.join(', ')}]: this is not a latent generator (the playground draws from latent vectors)` };
  let label = null;
  if (labelIdx >= 0) {
    const emb = allLayers(model).find((l) => l.className === 'Embedding');
    label = { index: labelIdx, name: names[labelIdx], classes: emb ? Number(emb.getConfig().input_dim) : 10 };
  }
  return { latent: { index: latentIdx, name: names[latentIdx], shape: latent }, label, problem: null };
}

/** The model's inputs for these latents (and one label for every sample). */
export function inputsFor(desc, z, labelValue = 0) {
  if (!desc.label) return z;
  const n = z.shape[0];
  const labels = tensor(new Float32Array(n).fill(labelValue), [n, 1]);
  const ins = [];
  ins[desc.latent.index] = z;
  ins[desc.label.index] = labels;
  return ins;
}

/** What kind of picture a batch of outputs makes: 'image' (N,H,W[,C]) or 'rows' (N, features). */
export function outputKind(y) {
  const s = y.shape;
  if (s.length === 4 && [1, 3, 4].includes(s[3])) return 'image';
  if (s.length === 3) return 'image';
  return 'rows';
}

/**
 * Draws a batch on a canvas: images as a grid, anything else as one row of pixels per sample.
 * Returns a short description for the caption and the canvas's label.
 */
export function drawBatch(canvas, y, range, { columns, scale = 3, padding = 2 } = {}) {
  const kind = outputKind(y);
  let img;
  if (kind === 'image') {
    img = toImageData(y, { range, columns, scale, padding });
  } else {
    const n = y.shape[0];
    const f = y.data.length / n;
    img = toImageData(tensor(y.data, [1, n, f, 1]), { range, scale: Math.max(scale, 6), padding: 0 });
  }
  canvas.width = img.width;
  canvas.height = img.height;
  canvas.getContext('2d').putImageData(img, 0, 0);
  return kind === 'image'
    ? `${y.shape[0]} samples of ${y.shape.slice(1, 3).join('×')}${y.shape[3] > 1 ? `×${y.shape[3]}` : ''}`
    : `${y.shape[0]} samples of ${y.data.length / y.shape[0]} values, one row each (not an image)`;
}

/** The browser's name and version, for the comparison's caption. */
export function browserName() {
  const ua = navigator.userAgent;
  const pick = [/(Firefox)\/([\d.]+)/, /(Edg)\/([\d.]+)/, /(HeadlessChrome)\/([\d.]+)/, /(Chrome)\/([\d.]+)/, /Version\/([\d.]+).*(Safari)/];
  for (const re of pick) {
    const m = re.exec(ua);
    if (!m) continue;
    if (re.source.startsWith('Version')) return `Safari ${m[1]}`;
    const name = { Edg: 'Edge', HeadlessChrome: 'Chromium (headless)', Chrome: navigator.userAgentData?.brands?.some((b) => b.brand === 'Chromium') && !navigator.userAgentData.brands.some((b) => b.brand === 'Google Chrome') ? 'Chromium' : 'Chrome' }[m[1]] ?? m[1];
    return `${name} ${m[2]}`;
  }
  return ua;
}
