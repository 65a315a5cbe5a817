// UpSampling2D interpolations side by side on one generator-sized input, one process, one build:
//   node bench/resize_interp.mjs [--flavour simd|relaxed-simd|scalar|js] [--shape 64x64x64] [--size 2x2]
//                                [--batch 1] [--runs 200] [--io]
// Prints the median and best ms of predictInto per interpolation (after warm-up), and the
// ratio to bilinear. --io runs predictInto(io.input, io.output) on the model's ioTensors (no
// copy in or out: the kernel alone). Needs `npm run build` (reads dist/).
import { getBackend, init, Sequential, setBackend, tensor, UpSampling2D } from '../dist/index.js';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const flavour = args.flavour ?? 'simd';
const [H, W, C] = (args.shape ?? '64x64x64').split('x').map(Number);
const size = (args.size ?? '2x2').split('x').map(Number);
const batch = Number(args.batch ?? 1);
const runs = Number(args.runs ?? 200);
const io = 'io' in args;
const METHODS = ['nearest', 'bilinear', 'bicubic', 'area', 'lanczos3', 'lanczos5', 'gaussian', 'mitchellcubic'];

if (flavour === 'js') setBackend('js');
else { await init(undefined, { flavour }); setBackend('wasm'); }

const x = tensor(Float32Array.from({ length: batch * H * W * C }, (_, i) => Math.sin(i * 0.37)), [batch, H, W, C]);
const out = tensor(new Float32Array(batch * H * size[0] * W * size[1] * C), [batch, H * size[0], W * size[1], C]);
// interleaved rounds, so that load from other processes spreads over every interpolation alike
const models = METHODS.map((interpolation) => new Sequential([new UpSampling2D({ size, interpolation, inputShape: [H, W, C] })]));
const ios = models.map((m) => (io ? m.ioTensors(batch) : { input: x, output: out }));
models.forEach((m, i) => { for (let k = 0; k < 10; k++) m.predictInto(ios[i].input, ios[i].output); });
const times = METHODS.map(() => []);
for (let r = 0; r < runs; r++) {
  models.forEach((m, i) => {
    const t0 = performance.now();
    m.predictInto(ios[i].input, ios[i].output);
    times[i].push(performance.now() - t0);
  });
}
const rows = METHODS.map((interpolation, i) => {
  const t = times[i].sort((a, b) => a - b);
  return { interpolation, median: t[runs >> 1], best: t[0] };
});
const base = rows.find((r) => r.interpolation === 'bilinear').median;
console.log(`${getBackend()}  input ${batch}x${H}x${W}x${C}  size ${size.join('x')}  ${runs} runs${io ? '  ioTensors (no copies)' : ''}`);
for (const r of rows) console.log(`${r.interpolation.padEnd(14)} median ${r.median.toFixed(3).padStart(8)} ms  best ${r.best.toFixed(3).padStart(8)} ms  ×bilinear ${(r.median / base).toFixed(2)}`);
