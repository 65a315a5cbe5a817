// Where a graph generator's time goes: each block of a graph shape (graphs.mjs; the nodes whose
// names share the prefix before the first '_', e.g. down3_conv + down3_bn + down3_leaky) timed as a
// model of its own (`subgraph`: the tensors it reads become inputs), upconv next to its peers. Not
// part of `npm run bench`; for finding which layers a graph's ratio comes from.
//
//   node --expose-gc [--experimental-wasm-relaxed-simd] bench/graph_profile.mjs
//        [--shape unet-256] [--only upconv-simd,ort-web] [--calls 3] [--blocks down1,last]
//
// Per block: every implementation builds it and runs it once (a warm-up), then `calls` rounds each
// time one call of every implementation, interleaved; the median is printed. Weights and inputs
// are the block's own random ones (a timing, not a check: suite.mjs checks the whole graph).
import { GRAPH_SHAPES, analyseGraph, makeGraphData, subgraph } from './graphs.mjs';
import { implById } from './impls.mjs';
import { median } from './util.mjs';

function parseArgs(argv) {
  const opts = { shape: 'unet-256', only: ['upconv-simd', 'ort-web'], calls: 3, blocks: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--shape') opts.shape = argv[++i];
    else if (a === '--only') opts.only = argv[++i].split(',').filter(Boolean);
    else if (a === '--calls') opts.calls = Math.max(1, Number(argv[++i]) | 0);
    else if (a === '--blocks') opts.blocks = new Set(argv[++i].split(',').filter(Boolean));
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {};

async function timeCall(cell) {
  const t = performance.now();
  if (cell.isAsync) await cell.run();
  else cell.run();
  return performance.now() - t;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const shape = GRAPH_SHAPES.find((s) => s.id === opts.shape);
  if (!shape) throw new Error(`unknown graph shape ${opts.shape} (known: ${GRAPH_SHAPES.map((s) => s.id).join(', ')})`);
  const impls = opts.only.map(implById);
  for (const impl of impls) await impl.load();
  const blocks = new Map();
  for (const n of shape.graph) {
    if (n.op === 'input') continue;
    const key = n.name.split('_')[0];
    if (opts.blocks && !opts.blocks.has(key)) continue;
    if (!blocks.has(key)) blocks.set(key, []);
    blocks.get(key).push(n.name);
  }
  const head = ['block', 'nodes', 'output', 'MFLOP', ...impls.map((i) => `${i.id} ms`), ...impls.slice(1).map((i) => `${i.id} ÷ ${impls[0].id}`)];
  console.log(`${shape.id}: median of ${opts.calls} interleaved calls per block, after one warm-up call\n`);
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map((_, i) => (i < 3 ? ' --- ' : ' ---: ')).join('|')}|`);
  const totals = impls.map(() => 0);
  for (const [key, names] of blocks) {
    const sub = subgraph(shape, names, `${shape.id}/${key}`);
    const info = analyseGraph(sub);
    const data = makeGraphData(sub);
    const cells = [];
    for (const impl of impls) {
      await impl.activate();
      const cell = await impl.prepare(sub, data);
      await timeCall(cell);
      cells.push(cell);
    }
    const times = impls.map(() => []);
    for (let r = 0; r < opts.calls; r++) {
      for (let i = 0; i < impls.length; i++) {
        await impls[i].activate();
        gc();
        times[i].push(await timeCall(cells[i]));
      }
    }
    for (const c of cells) c.dispose();
    const ms = times.map(median);
    ms.forEach((m, i) => (totals[i] += m));
    const ops = names.map((n) => shape.graph.find((x) => x.name === n).op).join('+');
    console.log(`| ${key} | ${ops} | ${info.output.join('×')} | ${(info.flops / 1e6).toFixed(0)} | ${ms.map((m) => m.toFixed(1)).join(' | ')} | ${ms.slice(1).map((m) => `${(m / ms[0]).toFixed(2)}×`).join(' | ')} |`);
  }
  if (opts.blocks) return; // the graph's FLOPs and a total of some blocks would not match
  console.log(`| total | | | ${(analyseGraph(shape).flops / 1e6).toFixed(0)} | ${totals.map((m) => m.toFixed(1)).join(' | ')} | ${totals.slice(1).map((m) => `${(m / totals[0]).toFixed(2)}×`).join(' | ')} |`);
}

main().catch((e) => {
  console.error(e?.stack ?? e);
  process.exit(1);
});
