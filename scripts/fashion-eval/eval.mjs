// One command for the Fashion-MNIST sample check: trains the evaluation classifier when its cache
// is missing, draws --n samples from the given generator and from an untrained one (the same
// architecture, fresh Keras-initialised weights, the same latents), and prints real test images vs
// the model vs the untrained generator side by side (score.py's table, or its JSON with --json).
// The table goes to stdout, progress and timings to stderr. Run it niced on a shared machine:
// `nice -n 15 node scripts/fashion-eval/eval.mjs ...` (torch uses one thread).
//
//   node scripts/fashion-eval/eval.mjs [MODEL_FILE | --package] [--n 1000] [--seed 1]
//        [--classifier .cache/fashion-classifier.pt] [--json]
//
// MODEL_FILE: a .keras / .h5 / tf.js model.json generator; --package (the default): the shipped
// upconv/models/fashion-dcgan. Needs /usr/bin/python3 with torch and numpy, and a built dist/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const { values: a, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    package: { type: 'boolean', default: false }, n: { type: 'string', default: '1000' }, seed: { type: 'string', default: '1' },
    classifier: { type: 'string', default: join(root, '.cache', 'fashion-classifier.pt') }, json: { type: 'boolean', default: false },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});
if (positionals.length > 1 || (positionals.length && a.package)) {
  console.error('usage: eval.mjs [MODEL_FILE | --package] [--n 1000] [--seed 1] [--json]');
  process.exit(2);
}

class StepFailed extends Error {}

/** Runs a step with this process's stdout/stderr; a failing step ends eval.mjs with its exit code. */
function run(step, cmd, args, { capture = false } = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'], cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw Object.assign(new StepFailed(`${step} failed (exit code ${r.status ?? r.signal})`), { code: r.status ?? 1 });
  return r.stdout;
}

const tmp = mkdtempSync(join(tmpdir(), 'fashion-eval-'));
try {
  if (!existsSync(a.classifier)) {
    console.error(`${a.classifier} missing: training the classifier once (a few minutes)`);
    run('train_classifier.py', a.python, [join(here, 'train_classifier.py'), '--out', a.classifier]);
  }
  const model = positionals.length ? resolve(positionals[0]) : null;
  const modelOut = join(tmp, 'model.f32');
  const untrainedOut = join(tmp, 'untrained.f32');
  const metaOut = join(tmp, 'samples.json');
  const t0 = Date.now();
  run('samples.mjs', process.execPath, ['--experimental-wasm-relaxed-simd', join(here, 'samples.mjs'), ...(model ? [model] : ['--package']),
    '--out', modelOut, '--untrained-out', untrainedOut, '--meta-out', metaOut, '--n', a.n, '--seed', a.seed]);
  const t1 = Date.now();
  const name = (model ? basename(model) : 'fashionDCGAN()').replaceAll(',', ';');
  const scored = run('score.py', a.python, [join(here, 'score.py'), '--real', '--n', a.n, '--classifier', a.classifier, modelOut, untrainedOut,
    '--names', `${name},untrained (same architecture)`, ...(a.json ? ['--json'] : [])], { capture: a.json });
  if (a.json) {
    const meta = JSON.parse(readFileSync(metaOut, 'utf8'));
    const generator = {
      source: model ?? 'upconv/models/fashion-dcgan fashionDCGAN()', modelCard: meta.modelCard, backend: meta.backend, samples: Number(a.n),
      latents: `sampleLatents(${a.n}, ${meta.latentDim}, { seed: ${a.seed} })`, output: '(tanh + 1) / 2, clipped to [0, 1]',
      untrained: `setSeed(${a.seed}); modelFromJSON(model.toJSON()), the same latents`,
    };
    console.log(JSON.stringify({ generator, ...JSON.parse(scored) }, null, 2));
  }
  console.error(`eval.mjs: sampling ${((t1 - t0) / 1000).toFixed(1)} s, scoring ${((Date.now() - t1) / 1000).toFixed(1)} s`);
} catch (e) {
  if (!(e instanceof StepFailed)) throw e;
  console.error(`eval.mjs: ${e.message}`);
  process.exitCode = e.code;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
