// An edge worker (Cloudflare Workers / workerd) that serves a generator's images:
//   GET /generate?seed=N[&scale=S]  → a PNG (28×28 pixels, each drawn S×S; S 1–16, default 8)
//   GET /                           → a page showing a few seeds
// `import ... from 'upconv'` resolves through the package's "workerd"/"worker" export condition to
// dist/worker.js, which imports the .wasm builds as modules (workerd does not compile WebAssembly
// from bytes at run time). The generator's Keras config and weights sit beside the worker: the
// config is bundled in, the weights are a Data module (an ArrayBuffer). They load once per isolate.
import { getBackend, init, modelFromJSON, sampleLatents, tensor, toPNG } from 'upconv';
import config from './generator.json';
import weights from './generator.weights.bin';

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
      // the latents `upconv generate --seed N --count 1` draws; one 28×28 image, each pixel scale×scale.
      // The example model is untrained and its tanh outputs stay near 0: 'minmax' stretches the
      // contrast; a trained tanh generator would use range: 'tanh'.
      const y = model.predict(sampleLatents(1, LATENT, { seed }));
      const png = toPNG(y, { range: 'minmax', scale, padding: 0 });
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
