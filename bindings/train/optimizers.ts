/**
 * Keras 3 optimizers (keras/src/optimizers/{adam,sgd,rmsprop}.py): hyper-parameters, step count
 * and the update kernel over one weight array and its gradient and slots. The slots live where the
 * weights are updated (a compiled model's training memory; see train/plan.ts).
 */
import type { Backend, KernelMemory, Kernels } from '../backend/kernels.js';
import { currentBackend } from '../backend/select.js';
import { bool, checkKeys, finite, firstNonFinite, optionsOf } from '../args.js';
import { ConfigError, ShapeError } from '../errors.js';
import { align } from '../memory/planner.js';
import type { Tensor } from '../tensor.js';
import type { Variable } from './variables.js';
import { showValue } from '../show.js';

/** Where applyGradients keeps weights, gradients and slots: a backend memory of the optimizer's own. */
interface Store {
  backend: Backend;
  memory: KernelMemory;
  kernels: Kernels;
  end: number;
  regions: Map<Variable, { w: number; g: number; slots: number[]; count: number }>;
}

export abstract class Optimizer {
  abstract readonly name: string;
  readonly learningRate: number;
  /** Update steps applied so far (Keras `optimizer.iterations`). */
  iterations = 0;

  protected constructor(learningRate: number, where: string) {
    if (typeof where !== 'string') throw new ConfigError('Optimizer is the base class of the optimizers: construct Adam, SGD or RMSprop');
    this.learningRate = finite(learningRate, 'learningRate', where);
    if (!(this.learningRate >= 0)) throw new ConfigError(`${where}: learningRate must be ≥ 0, got ${learningRate}`);
  }

  /** @internal Slot arrays per weight (Adam: m, v, and v̂ with amsgrad). */
  abstract slotCount(): number;

  /** @internal Per-step constants (Adam's bias-corrected rate) for step `iterations + 1`. */
  abstract prepare(): void;

  /** @internal Updates `count` floats of w from g with the slots (byte pointers). */
  abstract update(k: Kernels, w: number, g: number, slots: readonly number[], count: number): void;

  /** Keras config, as `optimizer.get_config()` writes it. */
  abstract getConfig(): Record<string, unknown>;

  private store: Store | null = null;

  /**
   * Applies gradients to variables (Keras `optimizer.apply_gradients(zip(grads, vars))`), for
   * custom training loops with `computeGradients`. Slots are kept per variable. (A compiled
   * model's own steps keep their slots in the model's memory: use one optimizer for one purpose.)
   */
  applyGradients(pairs: readonly (readonly [Tensor, Variable])[]): void {
    if (!Array.isArray(pairs)) throw new ConfigError(`${this.name}: applyGradients takes [gradient, variable] pairs`);
    for (const [g, v] of pairs) {
      if (!g || !v || typeof v.name !== 'string' || !('layer' in v)) throw new ConfigError(`${this.name}: applyGradients takes [gradient Tensor, Variable] pairs (variables from model.trainableWeights)`);
      if (g.shape.join() !== v.shape.join()) throw new ShapeError(`${this.name}: the gradient for ${v.name} has shape [${g.shape}], expected [${v.shape}]`);
      const bad = firstNonFinite(g.data);
      if (bad >= 0) throw new ShapeError(`${this.name}: the gradient for ${v.name} holds a non-finite value at index ${bad}`);
    }
    const backend = currentBackend();
    const per = this.slotCount();
    const allocate = (s: Store, v: Variable) => {
      const count = v.shape.reduce((a: number, b: number) => a * b, 1);
      const bytes = align(4 * count);
      const r = { w: s.end, g: s.end + bytes, slots: [] as number[], count };
      s.end += 2 * bytes;
      for (let k = 0; k < per; k++) {
        r.slots.push(s.end);
        s.end += bytes;
      }
      s.memory.ensure(s.end);
      new Float32Array(s.memory.buffer).fill(0, r.slots[0] >>> 2, s.end >>> 2);
      s.regions.set(v, r);
      return r;
    };
    if (!this.store || this.store.backend !== backend) {
      const old = this.store;
      const { memory, kernels } = backend.createMemory();
      this.store = { backend, memory, kernels, end: memory.base, regions: new Map() };
      // another backend: the slots so far carry over
      if (old) {
        for (const [v, o] of old.regions) {
          const r = allocate(this.store, v);
          const src = new Float32Array(old.memory.buffer);
          o.slots.forEach((ptr, k) => new Float32Array(this.store!.memory.buffer).set(src.subarray(ptr >>> 2, (ptr >>> 2) + o.count), r.slots[k] >>> 2));
        }
      }
    }
    const s = this.store;
    for (const [, v] of pairs) if (!s.regions.has(v)) allocate(s, v);
    this.prepare();
    const f32 = new Float32Array(s.memory.buffer);
    const touched = new Set<Variable['layer']>();
    for (const [g, v] of pairs) {
      const r = s.regions.get(v)!;
      const arr = v.layer.weightArrays()[v.index] as Float32Array;
      f32.set(arr, r.w >>> 2);
      f32.set(g.data, r.g >>> 2);
      this.update(s.kernels, r.w, r.g, r.slots, r.count);
      arr.set(f32.subarray(r.w >>> 2, (r.w >>> 2) + r.count));
      touched.add(v.layer);
    }
    for (const l of touched) l.touchWeights();
    this.iterations++;
  }
}

export interface AdamOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  amsgrad?: boolean;
}

/** Adam with Keras's "epsilon hat" (epsilon added to sqrt(v), not bias-corrected; ≠ PyTorch). */
export class Adam extends Optimizer {
  readonly name = 'adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;
  private alpha = 0;

  constructor(options?: AdamOptions) {
    const o = optionsOf<AdamOptions>(options, 'Adam');
    super(o.learningRate ?? 0.001, 'Adam');
    checkKeys(o, ['learningRate', 'beta1', 'beta2', 'epsilon', 'amsgrad'], 'Adam');
    this.beta1 = finite(o.beta1 ?? 0.9, 'beta1', 'Adam');
    this.beta2 = finite(o.beta2 ?? 0.999, 'beta2', 'Adam');
    this.epsilon = finite(o.epsilon ?? 1e-7, 'epsilon', 'Adam');
    this.amsgrad = o.amsgrad === undefined ? false : bool(o.amsgrad, 'amsgrad', 'Adam');
    for (const [n, v] of [['beta1', this.beta1], ['beta2', this.beta2]] as const) {
      if (v < 0 || v >= 1) throw new ConfigError(`Adam: ${n} must be in [0, 1), got ${v}`);
    }
  }

  slotCount(): number {
    return this.amsgrad ? 3 : 2;
  }

  prepare(): void {
    const f = Math.fround;
    const t = this.iterations + 1;
    // float32 as Keras computes it: lr · sqrt(1 − β2^t) / (1 − β1^t)
    const b1t = f(f(this.beta1) ** t);
    const b2t = f(f(this.beta2) ** t);
    this.alpha = f(f(f(this.learningRate) * f(Math.sqrt(f(1 - b2t)))) / f(1 - b1t));
  }

  update(k: Kernels, w: number, g: number, slots: readonly number[], count: number): void {
    k.adamUpdate(w, g, slots[0], slots[1], this.amsgrad ? slots[2] : slots[1], count, this.alpha, this.beta1, this.beta2, this.epsilon, this.amsgrad ? 1 : 0);
  }

  getConfig(): Record<string, unknown> {
    return { name: 'adam', learning_rate: this.learningRate, beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon, amsgrad: this.amsgrad };
  }
}

export interface SGDOptions {
  learningRate?: number;
  momentum?: number;
  nesterov?: boolean;
}

export class SGD extends Optimizer {
  readonly name = 'sgd';
  readonly momentum: number;
  readonly nesterov: boolean;

  constructor(options?: SGDOptions) {
    const o = optionsOf<SGDOptions>(options, 'SGD');
    super(o.learningRate ?? 0.01, 'SGD');
    checkKeys(o, ['learningRate', 'momentum', 'nesterov'], 'SGD');
    this.momentum = finite(o.momentum ?? 0, 'momentum', 'SGD');
    if (this.momentum < 0 || this.momentum > 1) throw new ConfigError(`SGD: momentum must be in [0, 1], got ${this.momentum}`);
    this.nesterov = o.nesterov === undefined ? false : bool(o.nesterov, 'nesterov', 'SGD');
  }

  slotCount(): number {
    return this.momentum > 0 ? 1 : 0;
  }

  prepare(): void {}

  update(k: Kernels, w: number, g: number, slots: readonly number[], count: number): void {
    k.sgdUpdate(w, g, slots[0] ?? g, count, this.learningRate, this.momentum, this.nesterov ? 1 : 0);
  }

  getConfig(): Record<string, unknown> {
    return { name: 'SGD', learning_rate: this.learningRate, momentum: this.momentum, nesterov: this.nesterov };
  }
}

export interface RMSpropOptions {
  learningRate?: number;
  rho?: number;
  momentum?: number;
  epsilon?: number;
  centered?: boolean;
}

/** RMSprop as Keras 3 computes it: epsilon inside the square root. */
export class RMSprop extends Optimizer {
  readonly name = 'rmsprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;

  constructor(options?: RMSpropOptions) {
    const o = optionsOf<RMSpropOptions>(options, 'RMSprop');
    super(o.learningRate ?? 0.001, 'RMSprop');
    checkKeys(o, ['learningRate', 'rho', 'momentum', 'epsilon', 'centered'], 'RMSprop');
    this.rho = finite(o.rho ?? 0.9, 'rho', 'RMSprop');
    this.momentum = finite(o.momentum ?? 0, 'momentum', 'RMSprop');
    this.epsilon = finite(o.epsilon ?? 1e-7, 'epsilon', 'RMSprop');
    this.centered = o.centered === undefined ? false : bool(o.centered, 'centered', 'RMSprop');
    if (this.rho < 0 || this.rho >= 1) throw new ConfigError(`RMSprop: rho must be in [0, 1), got ${this.rho}`);
    if (this.momentum < 0 || this.momentum >= 1) throw new ConfigError(`RMSprop: momentum must be in [0, 1), got ${this.momentum}`);
  }

  slotCount(): number {
    return 3; // v, the centered average, momentum (unused ones stay zero)
  }

  prepare(): void {}

  update(k: Kernels, w: number, g: number, slots: readonly number[], count: number): void {
    k.rmspropUpdate(w, g, slots[0], slots[1], slots[2], count, this.learningRate, this.rho, this.momentum, this.epsilon, this.centered ? 1 : 0);
  }

  getConfig(): Record<string, unknown> {
    return { name: 'rmsprop', learning_rate: this.learningRate, rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }
}

/** An optimizer from a compile argument: 'adam' | 'sgd' | 'rmsprop', an Optimizer, or a Keras config. */
export function resolveOptimizer(opt: unknown, where: string): Optimizer {
  if (opt instanceof Optimizer) return opt;
  if (typeof opt === 'string') {
    const n = opt.toLowerCase();
    if (n === 'adam') return new Adam();
    if (n === 'sgd') return new SGD();
    if (n === 'rmsprop') return new RMSprop();
    throw new ConfigError(`${where}: unknown optimizer '${opt}' (supported: 'adam', 'sgd', 'rmsprop', or new Adam/SGD/RMSprop({...}))`);
  }
  if (opt && typeof opt === 'object' && typeof (opt as { class_name?: unknown }).class_name === 'string') {
    const { class_name: cls, config = {} } = opt as { class_name: string; config?: Record<string, unknown> };
    const c = config as Record<string, number | boolean | undefined>;
    if (cls === 'Adam') return new Adam({ learningRate: c.learning_rate as number, beta1: c.beta_1 as number, beta2: c.beta_2 as number, epsilon: c.epsilon as number, amsgrad: c.amsgrad as boolean });
    if (cls === 'SGD') return new SGD({ learningRate: c.learning_rate as number, momentum: c.momentum as number, nesterov: c.nesterov as boolean });
    if (cls === 'RMSprop') return new RMSprop({ learningRate: c.learning_rate as number, rho: c.rho as number, momentum: c.momentum as number, epsilon: c.epsilon as number, centered: c.centered as boolean });
    throw new ConfigError(`${where}: unknown optimizer class '${cls}'`);
  }
  throw new ConfigError(`${where}: optimizer must be 'adam', 'sgd', 'rmsprop' or an Optimizer, got ${showValue(opt)}`);
}
