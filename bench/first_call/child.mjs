// One cold start of the first-call bench (bench/first_call/run.mjs), in a fresh process: import
// upconv, load a model from a file, predict once, then again and again (warm). Prints one JSON line
// of milliseconds since the process started (performance.now(), whose origin is the process start):
//   imported, loaded, first (the first prediction's output in hand), and the per-call times of the
//   first, second, third call and the median of the warm calls after them.
//   node bench/first_call/child.mjs --model path.h5 [--batch 1] [--threads 1] [--warm 30] [--dist dir]
// --dist: another build's dist/ folder (e.g. main's, to compare in one run).
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const file = opt('model');
const batch = Number(opt('batch', 1));
const threads = Number(opt('threads', 1));
const warm = Number(opt('warm', 30));

const dist = opt('dist', null);
const { readFile } = await import('node:fs/promises');
const { pathToFileURL } = await import('node:url');
const from = (f) => (dist ? pathToFileURL(`${dist}/${f}`).href : `../../dist/${f}`);
const u = await import(from('index.js'));
const io = await import(from('io.js'));
if (threads > 1) await u.init({ threads });
const cpuMs = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
const imported = performance.now();
const cpuImported = cpuMs();
const bytes = await readFile(file);
const model = await io.loadModel(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), { name: file });
const loaded = performance.now();
const cpuLoaded = cpuMs();
const shape = [batch, ...model.inputShape.slice(1)];
const n = shape.reduce((a, b) => a * b, 1);
const x = new Float32Array(n);
for (let i = 0; i < n; i++) x[i] = Math.sin(i * 0.7311) * 1.3;
const input = u.tensor(x, shape);
const calls = [];
const cpuCalls = [];
let y = null;
let first = 0;
for (let i = 0; i < 3 + warm; i++) {
  const s = performance.now();
  const cs = cpuMs();
  y = model.predict(input);
  void y.data[0];
  const e = performance.now();
  cpuCalls.push(cpuMs() - cs);
  if (i === 0) {
    first = e;
    process.stdout.write('first\n'); // the parent times process start → first prediction by this line
  }
  calls.push(e - s);
}
const rest = calls.slice(3).sort((a, b) => a - b);
const mid = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const med = rest.length ? mid(rest) : calls[calls.length - 1];
// CPU time (every thread of the process: V8's compiler threads too), robust to other load; the warm
// figure over all warm calls at once (process.cpuUsage has coarse steps)
const cpuWarm = cpuCalls.slice(3).reduce((a, b) => a + b, 0) / Math.max(1, cpuCalls.length - 3);
console.log(JSON.stringify({
  imported, loaded, first, call1: calls[0], call2: calls[1], call3: calls[2], warm: med,
  cpu: { imported: cpuImported, load: cpuLoaded - cpuImported, call1: cpuCalls[0], call2: cpuCalls[1], warm: cpuWarm },
  backend: u.getBackend(), threads: u.getThreads().threads,
}));
process.exit(0);
