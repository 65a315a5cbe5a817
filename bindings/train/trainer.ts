/**
 * Keras's training API on a model: compile (optimizer, loss, metrics, and the trainable flags as
 * they are now — Keras's documented contract), trainOnBatch (the loss before the update), fit
 * (epochs of shuffled batches, validation, callbacks, a History), evaluate.
 */
import { firstNonFinite } from '../args.js';
import { currentBackend } from '../backend/select.js';
import { ConfigError, ShapeError, TrainingError, UpconvError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import type { Model } from '../model/model.js';
import { Program, type ProgramMode } from '../model/program.js';
import { buildPlan, type Plan } from '../model/plan.js';
import { random } from '../random.js';
import { Tensor, tensor } from '../tensor.js';
import { type LossName, Loss, resolveLoss } from './losses.js';
import { type Metric, type MetricName, probabilities, resolveMetric } from './metrics.js';
import { type Optimizer, resolveOptimizer } from './optimizers.js';
import { TrainStep } from './step.js';
import { progressLine } from './progress.js';

export interface CompileOptions {
  /** 'adam' | 'sgd' | 'rmsprop', or `new Adam({...})` etc. */
  optimizer: Optimizer | 'adam' | 'sgd' | 'rmsprop';
  /** A loss name or object; a list gives one loss per output (their sum is minimised). */
  loss: LossName | Loss | readonly (LossName | Loss)[];
  metrics?: readonly MetricName[];
}

/** What `compile` fixes: the optimizer, losses, metrics and which layers train. */
export interface Compiled {
  optimizer: Optimizer;
  losses: Loss[];
  metrics: Metric[];
  trainable: Set<Layer>;
  step: TrainStep | null;
  stepKey: string;
  /** evaluate's inference program and plan (made on first use, again for another shape, backend or batch size). */
  evaluation?: { key: string; program: Program; plan: Plan | null };
}

/**
 * Which layers train, as the flags are now: trainable themselves and inside trainable models
 * (Keras's trainable_weights). Works before the model is built (the weights are known later).
 */
export function trainableFlags(model: Model): Set<Layer> {
  const out = new Set<Layer>();
  const walk = (m: Model, on: boolean) => {
    for (const l of m.layers) {
      if ('graph' in l || l.className === 'Sequential') walk(l as Model, on && l.trainable);
      else if (on && l.trainable) out.add(l);
    }
  };
  walk(model, model.trainable);
  return out;
}

export function compileModel(model: Model, options: CompileOptions): Compiled {
  const where = `${model.label}: compile`;
  if (!options || typeof options !== 'object') throw new ConfigError(`${where} takes { optimizer, loss, metrics? }`);
  const unknown = Object.keys(options).filter((k) => !['optimizer', 'loss', 'metrics'].includes(k));
  if (unknown.length) throw new ConfigError(`${where}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: optimizer, loss, metrics)`);
  if (options.loss === undefined) throw new ConfigError(`${where}: needs a loss`);
  const optimizer = resolveOptimizer(options.optimizer ?? 'rmsprop', where);
  const lossList = Array.isArray(options.loss) ? options.loss : [options.loss];
  const losses = lossList.map((l) => resolveLoss(l, where));
  if (!Array.isArray(options.metrics) && options.metrics !== undefined) throw new ConfigError(`${where}: metrics must be a list of names`);
  const metrics = (options.metrics ?? []).map((m) => resolveMetric(m, losses[0], where));
  return { optimizer, losses, metrics, trainable: trainableFlags(model), step: null, stepKey: '' };
}

/** The step for these inputs (made on first use, and again for another input shape or backend). */
function stepFor(model: Model, c: Compiled, inputs: readonly Tensor[]): TrainStep {
  const backend = currentBackend();
  const key = `${backend.name}|${inputs.map((t) => t.shape.slice(1).join('x')).join('|')}`;
  if (!c.step || c.stepKey !== key) {
    const outputs = model.graph.outputs.length;
    if (c.losses.length !== 1 && c.losses.length !== outputs) {
      throw new ConfigError(`${model.label}: compile got ${c.losses.length} losses for ${outputs} outputs`);
    }
    const old = c.step;
    c.step = null;
    c.step = new TrainStep(backend, model, inputs.map((t) => t.shape.slice(1)), model.memoryLimit, model.label, c.trainable, c.losses, c.optimizer);
    if (old) c.step.adoptSlots(old); // one optimizer: its state carries over to the new step
    c.stepKey = key;
  }
  return c.step;
}

/** Targets, one per output, checked against the outputs' shapes. */
function coerceTargets(model: Model, c: Compiled, y: unknown, batch: number, shapes: readonly (readonly number[])[]): Tensor[] {
  const n = model.graph.outputs.length;
  const list = n > 1 ? (Array.isArray(y) ? y : [y]) : [y];
  if (list.length !== n) throw new ShapeError(`${model.label}: the targets give ${list.length} arrays for ${n} outputs`);
  return list.map((t, i) => {
    const ten = t instanceof Tensor ? t : tensor(t as Float32Array);
    const want = [batch, ...c.losses[Math.min(i, c.losses.length - 1)].targetShape(shapes[i])];
    if (ten.rank !== want.length || ten.shape.some((d, k) => d !== want[k]) || ten.data.length !== ten.size) {
      throw new ShapeError(`${model.label}: target${n > 1 ? ` ${i}` : ''} has shape [${ten.shape.join(', ')}], expected [${want.join(', ')}]`);
    }
    const bad = firstNonFinite(ten.data);
    if (bad >= 0) throw new ShapeError(`${model.label}: target${n > 1 ? ` ${i}` : ''} holds a non-finite value (${ten.data[bad]}) at index ${bad}`);
    return ten;
  });
}

/** Output sample shapes for the inputs' shapes, without planning. */
function outputShapes(model: Model, inputs: readonly Tensor[]): number[][] {
  const shapes = model.outputShapesFor(inputs.map((t) => t.shape.slice(1))).shapes;
  return shapes.map((s) => s.map((d) => d as number));
}

function metricValues(c: Compiled, preds: readonly Float32Array[], targets: readonly Tensor[], shapes: readonly (readonly number[])[]): number[] {
  return c.metrics.map((m) => m.compute(preds[0], targets[0].data, shapes[0][shapes[0].length - 1]));
}

export interface TrainOnBatchOptions {
  /** Masks for Dropout layers in this step, by layer name (tests; 0/1 floats of the layer's input size). */
  dropoutMasks?: Record<string, Float32Array>;
}

/** One training step; the loss before the update (with metrics: [loss, ...metrics]). */
export function trainOnBatch(model: Model, c: Compiled | null, x: unknown, y: unknown, options: TrainOnBatchOptions = {}): number | number[] {
  if (!c) throw new TrainingError(`${model.label}: call compile({ optimizer, loss }) before training`);
  const inputs = model.coerceInputs(x as never, 'trainOnBatch input');
  const shapes = outputShapes(model, inputs);
  const targets = coerceTargets(model, c, y, inputs[0].shape[0], shapes);
  const step = stepFor(model, c, inputs);
  const masked = withMasks(model, options.dropoutMasks);
  try {
    const r = step.run(inputs, targets);
    return c.metrics.length ? [r.total, ...metricValues(c, r.predictions, targets, shapes)] : r.total;
  } finally {
    for (const l of masked) (l as unknown as { testMask: Float32Array | null }).testMask = null;
  }
}

function withMasks(model: Model, masks: Record<string, Float32Array> | undefined): Layer[] {
  if (!masks) return [];
  const out: Layer[] = [];
  for (const [name, m] of Object.entries(masks)) {
    const l = model.weightLayersAll().find((x) => x.name === name);
    if (!l || l.className !== 'Dropout') throw new ConfigError(`${model.label}: dropoutMasks names '${name}', which is not a Dropout layer of the model`);
    (l as unknown as { testMask: Float32Array | null }).testMask = m;
    out.push(l);
  }
  return out;
}

/** The loss (and metrics) of a batch in inference mode, as Keras's evaluate computes them. */
function evalBatch(model: Model, c: Compiled, inputs: readonly Tensor[], targets: readonly Tensor[], shapes: readonly (readonly number[])[]): number[] {
  const backend = currentBackend();
  const key = `${backend.name}|${model.graph.nodes.length}|${inputs.map((t) => t.shape.slice(1).join('x')).join('|')}`;
  if (!c.evaluation || c.evaluation.key !== key) {
    const mode: ProgramMode = { training: false, trainable: () => false, logits: (i, act) => c.losses[Math.min(i, c.losses.length - 1)].takesLogits(act) };
    c.evaluation = undefined;
    c.evaluation = { key, program: new Program(backend, model, inputs.map((t) => t.shape.slice(1)), model.memoryLimit, model.label, mode), plan: null };
  }
  const e = c.evaluation;
  const program = e.program;
  if (!e.plan || e.plan.batch !== inputs[0].shape[0]) {
    e.plan = null;
    e.plan = buildPlan(program, inputs[0].shape[0], model.memoryLimit, model.label);
  }
  const plan = e.plan;
  program.sync();
  inputs.forEach((t, i) => plan.inputs[i].set(t.data));
  for (const s of plan.steps) s();
  let total = 0;
  const preds: Float32Array[] = [];
  plan.outputs.forEach((out, i) => {
    const loss = c.losses[Math.min(i, c.losses.length - 1)];
    const act = program.outputActivation[i];
    const shape = [inputs[0].shape[0], ...shapes[i]];
    total += loss.compute(out, targets[i].data, new Float32Array(out.length), shape, act);
    preds.push(act ? probabilities(out, act, shape[shape.length - 1]) : out.slice());
  });
  return [total, ...metricValues(c, preds, targets, shapes)];
}

/** Rows [from, to) of a tensor, or the rows listed in `index`, as a new tensor. */
function rows(t: Tensor, index: readonly number[] | Int32Array, from: number, to: number): Tensor {
  const per = t.size / t.shape[0];
  const out = new Float32Array((to - from) * per);
  for (let i = from; i < to; i++) out.set(t.data.subarray(index[i] * per, (index[i] + 1) * per), (i - from) * per);
  return new Tensor(out, [to - from, ...t.shape.slice(1)]);
}

export interface EvaluateOptions {
  batchSize?: number;
}

export function evaluate(model: Model, c: Compiled | null, x: unknown, y: unknown, options: EvaluateOptions = {}): number | number[] {
  if (!c) throw new TrainingError(`${model.label}: call compile({ optimizer, loss }) before evaluate`);
  const inputs = model.coerceInputs(x as never, 'evaluate input');
  const shapes = outputShapes(model, inputs);
  const n = inputs[0].shape[0];
  const targets = coerceTargets(model, c, y, n, shapes);
  const batchSize = positive(options.batchSize ?? 32, 'batchSize', model.label);
  const index = Array.from({ length: n }, (_, i) => i);
  const sums = new Array<number>(1 + c.metrics.length).fill(0);
  for (let from = 0; from < n; from += batchSize) {
    const to = Math.min(n, from + batchSize);
    const v = evalBatch(model, c, inputs.map((t) => rows(t, index, from, to)), targets.map((t) => rows(t, index, from, to)), shapes);
    v.forEach((x2, i) => { sums[i] += x2 * (to - from); });
  }
  const means = sums.map((s) => s / n);
  return c.metrics.length ? means : means[0];
}

function positive(v: unknown, what: string, where: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new ConfigError(`${where}: ${what} must be a positive integer, got ${String(v)}`);
  return v;
}

/** Logs of a batch or epoch: loss, metrics, and val_… entries. */
export type Logs = Record<string, number>;

/** Keras-style callbacks; any subset of the hooks. `model.stopTraining = true` ends fit after the batch. */
export interface Callback {
  onTrainBegin?(logs: Logs): void | Promise<void>;
  onTrainEnd?(logs: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
}

export interface FitOptions {
  batchSize?: number;
  epochs?: number;
  /** Shuffle the samples before every epoch (default true), with upconv's seeded generator. */
  shuffle?: boolean;
  /** Keep the last fraction of the samples (before shuffling) for validation. */
  validationSplit?: number;
  validationData?: [unknown, unknown];
  /** 0 silent, 1 a progress bar (in a terminal) or a line per epoch, 2 a line per epoch. */
  verbose?: 0 | 1 | 2;
  callbacks?: readonly Callback[];
  initialEpoch?: number;
  /** Where progress goes (default: process.stdout in Node, console.log elsewhere). */
  print?: (text: string, sameLine: boolean) => void;
}

/** What fit returns: the logs of every epoch (Keras's History). */
export interface History {
  epoch: number[];
  history: Record<string, number[]>;
}

export async function fit(model: Model, c: Compiled | null, x: unknown, y: unknown, options: FitOptions = {}): Promise<History> {
  if (!c) throw new TrainingError(`${model.label}: call compile({ optimizer, loss }) before fit`);
  const known = ['batchSize', 'epochs', 'shuffle', 'validationSplit', 'validationData', 'verbose', 'callbacks', 'initialEpoch', 'print'];
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length) throw new ConfigError(`${model.label}: fit: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
  const all = model.coerceInputs(x as never, 'fit input');
  const shapes = outputShapes(model, all);
  const allTargets = coerceTargets(model, c, y, all[0].shape[0], shapes);
  const batchSize = positive(options.batchSize ?? 32, 'batchSize', model.label);
  const epochs = positive(options.epochs ?? 1, 'epochs', model.label);
  const initialEpoch = options.initialEpoch ?? 0;
  const verbose = options.verbose ?? 1;
  const callbacks = options.callbacks ?? [];
  const split = options.validationSplit ?? 0;
  if (typeof split !== 'number' || split < 0 || split >= 1) throw new ConfigError(`${model.label}: validationSplit must be in [0, 1), got ${String(split)}`);
  const n = all[0].shape[0];
  const nTrain = split ? Math.floor(n * (1 - split)) : n;
  if (nTrain < 1) throw new ConfigError(`${model.label}: validationSplit ${split} leaves no training samples`);
  let val: { x: Tensor[]; y: Tensor[] } | null = null;
  const ids = Array.from({ length: n }, (_, i) => i);
  if (split) val = { x: all.map((t) => rows(t, ids, nTrain, n)), y: allTargets.map((t) => rows(t, ids, nTrain, n)) };
  if (options.validationData) {
    const [vx, vy] = options.validationData;
    const vin = model.coerceInputs(vx as never, 'validationData input');
    val = { x: vin, y: coerceTargets(model, c, vy, vin[0].shape[0], shapes) };
  }
  const print = options.print ?? defaultPrint();
  const names = ['loss', ...c.metrics.map((m) => m.name)];
  const history: History = { epoch: [], history: {} };
  model.stopTraining = false;
  for (const cb of callbacks) await cb.onTrainBegin?.({});
  const steps = Math.ceil(nTrain / batchSize);
  let lastYield = Date.now();
  for (let epoch = initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
    for (const cb of callbacks) await cb.onEpochBegin?.(epoch, {});
    if (verbose) print(`Epoch ${epoch + 1}/${epochs}`, false);
    const order = Int32Array.from({ length: nTrain }, (_, i) => i);
    if (options.shuffle !== false) {
      for (let i = nTrain - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    const sums = new Array<number>(names.length).fill(0);
    let seen = 0;
    const started = Date.now();
    for (let b = 0; b < steps && !model.stopTraining; b++) {
      const from = b * batchSize;
      const to = Math.min(nTrain, from + batchSize);
      for (const cb of callbacks) await cb.onBatchBegin?.(b, { batch: b, size: to - from });
      let v: number[];
      try {
        const r = trainOnBatch(model, c, all.map((t) => rows(t, order, from, to)), allTargets.length === 1 ? rows(allTargets[0], order, from, to) : allTargets.map((t) => rows(t, order, from, to)));
        v = Array.isArray(r) ? r : [r];
      } catch (e) {
        if (e instanceof TrainingError) throw new TrainingError(`${e.message} (epoch ${epoch + 1}, batch ${b + 1} of ${steps})`);
        throw e;
      }
      v.forEach((x2, i) => { sums[i] += x2 * (to - from); });
      seen += to - from;
      const logs: Logs = Object.fromEntries(names.map((nm, i) => [nm, v[i]]));
      for (const cb of callbacks) await cb.onBatchEnd?.(b, logs);
      if (verbose === 1) print(progressLine(b + 1, steps, Date.now() - started, names.map((nm, i) => [nm, sums[i] / seen])), true);
      // let timers, I/O and rendering run now and then
      if (Date.now() - lastYield > 50) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        lastYield = Date.now();
      }
    }
    const logs: Logs = Object.fromEntries(names.map((nm, i) => [nm, sums[i] / Math.max(1, seen)]));
    if (val) {
      const v = evaluate(model, c, val.x, val.y.length === 1 ? val.y[0] : val.y, { batchSize });
      const vs = Array.isArray(v) ? v : [v];
      names.forEach((nm, i) => { logs[`val_${nm}`] = vs[i]; });
    }
    history.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
    if (verbose) print(`${steps}/${steps} - ${((Date.now() - started) / 1000).toFixed(1)}s - ${Object.entries(logs).map(([k, v]) => `${k}: ${v.toFixed(4)}`).join(' - ')}`, false);
    for (const cb of callbacks) await cb.onEpochEnd?.(epoch, logs);
  }
  for (const cb of callbacks) await cb.onTrainEnd?.({});
  return history;
}

function defaultPrint(): (text: string, sameLine: boolean) => void {
  const g = globalThis as { process?: { stdout?: { isTTY?: boolean; write(s: string): void } } };
  const out = g.process?.stdout;
  if (out?.isTTY) {
    let open = false;
    return (text, sameLine) => {
      if (sameLine) {
        out.write(`\r${text}\x1b[K`);
        open = true;
      } else {
        out.write(`${open ? '\n' : ''}${text}\n`);
        open = false;
      }
    };
  }
  return (text, sameLine) => { if (!sameLine) console.log(text); };
}

export { UpconvError };
