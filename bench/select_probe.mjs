// Probe: V8 lowers a float `select` (and f32.max) to compare-and-branch code, so scalar-build
// kernels whose loops pick with selects (actScalar's relu / leaky relu, even when act is linear)
// run several times slower on random-sign data than on zeros. Calls the exported kernels of each
// build directly on 1M floats, zeros vs uniform(-1, 1), and prints median ms.
//   node bench/select_probe.mjs        (needs `npm run build:wasm`)
import { readFileSync } from 'node:fs';
import { median } from './util.mjs';

const src = readFileSync(new URL('../bindings/backend/wasm_inline.ts', import.meta.url), 'utf8');
const n = 1 << 20;
console.log('| build | data | scaleShift linear | activation relu | broadcast add (per-channel) |');
console.log('|---|---|---|---|---|');
for (const build of ['WASM_SCALAR_B64', 'WASM_SIMD_B64']) {
  const b64 = new RegExp(`${build} = '([^']+)'`).exec(src)[1];
  const ex = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(b64, 'base64')), {}).exports;
  const base = (ex.heapBase() + 15) & ~15;
  ex.memory.grow(300);
  const f = new Float32Array(ex.memory.buffer);
  const x = base, out = base + 4 * n, sc = base + 8 * n, sh = sc + 256;
  for (let i = 0; i < 64; i++) { f[(sc >> 2) + i] = 1.5; f[(sh >> 2) + i] = 0.1; }
  for (const data of ['zeros', 'random']) {
    for (let i = 0; i < n; i++) f[(x >> 2) + i] = data === 'zeros' ? 0 : Math.random() * 2 - 1;
    const time = (g) => {
      for (let i = 0; i < 5; i++) g();
      const ts = [];
      for (let i = 0; i < 25; i++) { const t0 = performance.now(); g(); ts.push(performance.now() - t0); }
      return median(ts).toFixed(3);
    };
    const cells = [
      time(() => ex.scaleShift(x, out, n / 64, 64, sc, sh, 0, 0)),
      time(() => ex.activation(x, out, n, 1, 0)),
      time(() => ex.broadcast(0, 0, 0, x, sc, out, 1, 1, n / 64, 64, 0, 0, 64, 1, 0, 0, 0, 1)),
    ];
    console.log(`| ${build.replace('_B64', '').toLowerCase()} | ${data} | ${cells.join(' | ')} |`);
  }
}
