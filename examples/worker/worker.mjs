// An edge worker (Cloudflare Workers / workerd) that serves a generator's images:
//   GET /generate?seed=N[&scale=S]  → a PNG (28×28 pixels, each drawn S×S; S 1–16, default 8)
//   GET /                           → a page showing a few seeds
// `import ... from 'upconv'` resolves through the package's "workerd"/"worker" export condition to
// dist/worker.js, which imports the .wasm builds as modules (workerd does not compile WebAssembly
// from bytes at run time). The generator's Keras config and weights sit beside the worker: the
// config is bundled in, the weights are a Data module (an ArrayBuffer). They load once per isolate.
import { getBackend, init, modelFromJSON, tensor } from 'upconv';
import config from './generator.json';
import weights from './generator.weights.bin';
import { encodePng } from './png.mjs';

const LATENT = 16;
let generator = null;

/** The model, built and given its weights once per isolate. */
function loadGenerator() {
  generator ??= (async () => {
    await init();
    const model = modelFromJSON(config);
    const flat = new Float32Array(weights);
    let off = 0;
    model.setWeights(model.getWeights().map((w) => {
      const t = tensor(flat.subarray(off, off + w.data.length), w.shape);
      off += w.data.length;
      return t;
    }));
    if (off !== flat.length) throw new Error(`generator.weights.bin holds ${flat.length} weights, the model ${off}`);
    return model;
  })().catch((e) => {
    generator = null; // let the next request retry
    throw e;
  });
  return generator;
}

/** A normal(0, 1) latent vector from the seed (mulberry32 + Box–Muller). */
function latent(seed) {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const z = new Float32Array(LATENT);
  for (let i = 0; i < LATENT; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const a = 2 * Math.PI * uniform();
    z[i] = r * Math.cos(a);
    if (i + 1 < LATENT) z[i + 1] = r * Math.sin(a);
  }
  return z;
}

/** tanh output in [-1, 1] → grey levels, each pixel drawn scale×scale. The seeded example model
 * is untrained and its outputs stay near 0, so contrast is stretched to the image's own range. */
function toGray(y, h, w, scale) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of y) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const k = hi > lo ? 255 / (hi - lo) : 0;
  const out = new Uint8Array(h * scale * w * scale);
  for (let r = 0; r < h * scale; r++) {
    for (let c = 0; c < w * scale; c++) out[r * w * scale + c] = Math.round((y[((r / scale) | 0) * w + ((c / scale) | 0)] - lo) * k);
  }
  return out;
}

function intParam(url, name, fallback, min, max) {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) return NaN;
  return Number(raw);
}

const page = () => `<!doctype html><meta charset="utf-8"><title>upconv generator</title>
<style>body{font:14px system-ui;margin:2em}img{image-rendering:pixelated;margin:4px;border:1px solid #ccc}</style>
<h1>upconv generator on the edge</h1><p>GET /generate?seed=N&amp;scale=S → PNG. Backend: ${getBackend()}</p>
${Array.from({ length: 16 }, (_, i) => `<a href="/generate?seed=${i}"><img src="/generate?seed=${i}&amp;scale=4" width="112" height="112" alt="seed ${i}"></a>`).join('')}`;

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('method not allowed', { status: 405, headers: { allow: 'GET, HEAD' } });
    try {
      if (url.pathname === '/') {
        await loadGenerator();
        return new Response(page(), { headers: { 'content-type': 'text/html; charset=utf-8' } });
      }
      if (url.pathname !== '/generate') return new Response('not found', { status: 404 });
      const seed = intParam(url, 'seed', NaN, 0, 0xffffffff);
      const scale = intParam(url, 'scale', 8, 1, 16);
      if (Number.isNaN(seed) || Number.isNaN(scale)) return new Response('seed must be an integer 0–4294967295 and scale 1–16\n', { status: 400 });
      const model = await loadGenerator();
      const y = model.predict(tensor(latent(seed), [1, LATENT])); // [1, 28, 28, 1]
      const [, h, w] = y.shape;
      const png = await encodePng(toGray(y.data, h, w, scale), w * scale, h * scale);
      return new Response(png, {
        headers: {
          'content-type': 'image/png',
          'cache-control': 'public, max-age=31536000, immutable', // same seed, same image
          'x-upconv-backend': getBackend(),
        },
      });
    } catch (e) {
      return new Response(`generator failed: ${e && e.message}\n`, { status: 500 });
    }
  },
};
