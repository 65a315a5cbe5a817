/**
 * The worker's code, as plain JavaScript text: Node runs it with `new Worker(code, { eval: true })`,
 * Deno and Bun likewise (a module worker from a Blob URL where worker_threads is missing), browsers
 * from dist/upconv.worker.js (the same text, written by scripts/build-js.mjs). It has no imports,
 * so it needs no network or file.
 *
 * A worker instantiates the threads build once per model over that model's shared memory
 * ('attach', 'detach'), then loops: claim chunks of the published task, run them, spin a little,
 * wait on WAKE. Chunk arguments are derived exactly as the calling thread derives them
 * (threads/pool.ts, `chunkArgs`). See protocol.ts for the control block.
 */
import * as P from './protocol.js';

export const WORKER_SOURCE = `'use strict';
(function () {
var CB = ${P.CHUNK_BITS}, CMASK = ${P.CHUNK_MASK};
var STATE = ${P.STATE}, DONE = ${P.DONE}, WAKE = ${P.WAKE}, ERROR = ${P.ERROR}, ACTIVE = ${P.ACTIVE};
var MODEL = ${P.MODEL}, KERNEL = ${P.KERNEL}, NARGS = ${P.NARGS}, UNITS = ${P.UNITS}, CHUNK = ${P.CHUNK};
var NCHUNKS = ${P.NCHUNKS}, COUNT_ARG = ${P.COUNT_ARG}, START_ARG = ${P.START_ARG}, END_ARG = ${P.END_ARG};
var NADV = ${P.NADV}, SPIN_US = ${P.SPIN_US}, ADV_ARG = ${P.ADV_ARG}, MAIL = ${P.MAIL}, READ = ${P.READ};
var WORKED = ${P.WORKED}, F_ARGS = ${P.F_ARGS}, F_ADV = ${P.F_ADV};
var MAX_CHUNKS = ${P.MAX_CHUNKS}, MAX_ARGS = ${P.MAX_ARGS}, MAX_ADV = ${P.MAX_ADV};
// worker_threads' parentPort where there is one (Node, Deno and Bun eval workers: Bun's also have a
// \`self\`, but the parent's messages arrive on parentPort only), else the Web Worker's self
var nodePort = null;
try { nodePort = typeof require === 'function' ? require('node:worker_threads').parentPort : null; } catch (e) { nodePort = null; }
var web = !nodePort;
var port = nodePort || self;
var now = typeof performance !== 'undefined' ? function () { return performance.now(); } : Date.now;
var I = null, F = null, names = [], me = -1, seen = 0, lastGen = -1;
var inst = new Map();
var a = [];

function post(m) { port.postMessage(m); }

function handle(m) {
  try {
    if (m.t === 'init') {
      I = new Int32Array(m.control);
      F = new Float64Array(m.control);
      names = m.names;
      me = m.index;
      lastGen = Atomics.load(I, STATE) >>> CB;
    } else if (m.t === 'attach') {
      var e = new WebAssembly.Instance(m.module, { env: { memory: m.memory } }).exports;
      var fns = [];
      for (var i = 0; i < names.length; i++) fns.push(e[names[i]]);
      inst.set(m.id, fns);
    } else if (m.t === 'detach') {
      inst.delete(m.id);
    }
  } catch (err) {
    post({ t: 'error', message: String(err && err.message || err) });
  }
  seen++;
  Atomics.store(I, READ + me, seen);
  if (m.t === 'init') post({ t: 'ready', index: me });
  if (seen === Atomics.load(I, MAIL + me)) loop();
}

function work(g) {
  var fns = inst.get(I[MODEL]);
  if (!fns) return;
  // plain reads: if this task ended meanwhile they may be torn, and then every claim below fails
  var fn = fns[I[KERNEL]], nargs = I[NARGS], units = I[UNITS], chunk = I[CHUNK], n = I[NCHUNKS];
  var ca = I[COUNT_ARG], sa = I[START_ARG], ea = I[END_ARG], nadv = I[NADV];
  if (!(n > 0 && n <= MAX_CHUNKS && nargs >= 0 && nargs <= MAX_ARGS && nadv >= 0 && nadv <= MAX_ADV)) return;
  a.length = nargs;
  for (;;) {
    var s = Atomics.load(I, STATE);
    if ((s >>> CB) !== g || (s & CMASK) >= n) return;
    if (Atomics.compareExchange(I, STATE, s, s + 1) !== s) continue;
    var u0 = (s & CMASK) * chunk, u1 = Math.min(units, u0 + chunk);
    for (var i = 0; i < nargs; i++) a[i] = F[F_ARGS + i];
    if (ca >= 0) a[ca] = u1 - u0;
    if (sa >= 0) a[sa] = u0;
    if (ea >= 0) a[ea] = u1;
    for (var j = 0; j < nadv; j++) a[I[ADV_ARG + j]] += u0 * F[F_ADV + j];
    try {
      fn.apply(null, a);
    } catch (err) {
      Atomics.store(I, ERROR, 1);
    }
    Atomics.add(I, WORKED + me, 1);
    Atomics.add(I, DONE, 1);
  }
}

function loop() {
  var spin = Atomics.load(I, SPIN_US) / 1000;
  var until = now() + spin;
  for (;;) {
    var w = Atomics.load(I, WAKE);
    if (Atomics.load(I, MAIL + me) !== seen) return; // messages first: back to the event loop
    var g = Atomics.load(I, STATE) >>> CB;
    if (g !== lastGen) {
      lastGen = g;
      if (me < Atomics.load(I, ACTIVE)) work(g);
      until = now() + spin;
      continue;
    }
    if (now() < until) continue;
    Atomics.wait(I, WAKE, w);
    until = now() + spin;
  }
}

if (web) self.onmessage = function (e) { handle(e.data); };
else port.on('message', handle);
})();
`;
