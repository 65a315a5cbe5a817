/**
 * A float64 model for the oracle: nodes calling OracleOps on values, params shared between nodes
 * of one layer (a layer called twice), the loss of each output (with the TF backend's logits
 * shortcut), reverse-mode gradients summed over every read, and central finite differences.
 */
import { type LossSpec, lossOf } from './losses.js';
import type { OracleOp } from './ops.js';
import { addInto, type Val } from './values.js';

/** One layer's weights in Keras get_weights() order; `trainable[i]` false for BN moving statistics and frozen layers. */
export interface ParamSet {
  readonly name: string;
  readonly values: Float64Array[];
  readonly trainable: boolean[];
}

export interface ONode {
  readonly op: OracleOp;
  /** Value ids: 0 … inputs−1 are the model inputs, node i writes value inputs + i. */
  readonly inputs: readonly number[];
  readonly params: ParamSet | null;
  /** This node is the sigmoid / softmax whose input a crossentropy takes as logits (TF shortcut). */
  readonly logitsOf?: 'sigmoid' | 'softmax';
}

export interface OGraph {
  readonly inputs: number;
  readonly nodes: readonly ONode[];
  readonly outputs: readonly number[];
}

export function forward(g: OGraph, xs: readonly Val[]): Val[] {
  const values: Val[] = [...xs];
  for (const n of g.nodes) values.push(n.op.forward(n.inputs.map((v) => values[v]), n.params?.values ?? []));
  return values;
}

/** The node that produced value v, or null for a model input. */
function producer(g: OGraph, v: number): ONode | null {
  return v >= g.inputs ? g.nodes[v - g.inputs] : null;
}

export interface LossResult {
  loss: number;
  /** dLoss/d(value) seeds: the outputs, or the logits below a shortcut sigmoid / softmax. */
  seeds: Map<number, Float64Array>;
}

/** Σ over outputs of each output's loss (one spec, or one per output). */
export function losses(g: OGraph, values: readonly Val[], targets: readonly Float64Array[], specs: readonly LossSpec[]): LossResult {
  let loss = 0;
  const seeds = new Map<number, Float64Array>();
  g.outputs.forEach((v, i) => {
    const spec = specs[Math.min(i, specs.length - 1)];
    const p = producer(g, v);
    const takes = p?.logitsOf && (spec.name === 'bce' ? p.logitsOf === 'sigmoid' : (spec.name === 'cce' || spec.name === 'scce') && p.logitsOf === 'softmax');
    const at = takes ? p!.inputs[0] : v;
    const out = values[at];
    const r = lossOf(spec, out.data, targets[i], out.shape[out.shape.length - 1], !!takes);
    loss += r.loss;
    const s = seeds.get(at);
    if (s) addInto(s, r.grad);
    else seeds.set(at, r.grad);
  });
  return { loss, seeds };
}

/** Reverse pass: gradients of every trainable param (summed over the nodes sharing it). */
export function backward(g: OGraph, values: readonly Val[], seeds: Map<number, Float64Array>): Map<ParamSet, (Float64Array | null)[]> {
  const dv: (Float64Array | null)[] = values.map((v, i) => (seeds.has(i) ? seeds.get(i)!.slice() : null));
  void values;
  const out = new Map<ParamSet, (Float64Array | null)[]>();
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i];
    const o = g.inputs + i;
    const d = dv[o];
    if (!d) continue;
    const ins = n.inputs.map((v) => values[v]);
    const r = n.op.backward(ins, n.params?.values ?? [], values[o], d);
    n.inputs.forEach((v, j) => {
      if (dv[v]) addInto(dv[v]!, r.dInputs[j]);
      else dv[v] = r.dInputs[j].slice();
    });
    if (n.params) {
      const acc = out.get(n.params) ?? n.params.values.map(() => null);
      r.dParams.forEach((dp, j) => {
        if (!dp || !n.params!.trainable[j]) return;
        if (acc[j]) addInto(acc[j]!, dp);
        else acc[j] = dp.slice();
      });
      out.set(n.params, acc);
    }
  }
  return out;
}

export interface Problem {
  graph: OGraph;
  xs: Val[];
  targets: Float64Array[];
  loss: LossSpec[];
}

export function lossAt(p: Problem): number {
  return losses(p.graph, forward(p.graph, p.xs), p.targets, p.loss).loss;
}

/** The loss and the analytic gradient of every param of `sets` (zeros where no gradient reaches). */
export function analytic(p: Problem, sets: readonly ParamSet[]): { loss: number; grads: Float64Array[][] } {
  const values = forward(p.graph, p.xs);
  const l = losses(p.graph, values, p.targets, p.loss);
  const g = backward(p.graph, values, l.seeds);
  return { loss: l.loss, grads: sets.map((s) => s.values.map((v, j) => g.get(s)?.[j] ?? new Float64Array(v.length))) };
}

/**
 * Central differences of the loss in float64, (L(w + h) − L(w − h)) / 2h with h relative to the
 * weight, at `indices` of every param of `sets` (all indices when `indices` is null).
 */
export function finiteDifferences(p: Problem, sets: readonly ParamSet[], pick: (n: number) => number[] | null = () => null): Float64Array[][] {
  return sets.map((s) => s.values.map((w) => {
    const out = new Float64Array(w.length).fill(Number.NaN);
    for (const i of pick(w.length) ?? w.keys()) {
      const w0 = w[i];
      const h = 1e-6 * Math.max(1, Math.abs(w0));
      w[i] = w0 + h;
      const up = lossAt(p);
      w[i] = w0 - h;
      const down = lossAt(p);
      w[i] = w0;
      out[i] = (up - down) / (2 * h);
    }
    return out;
  }));
}
