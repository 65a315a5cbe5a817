/**
 * Gradient checks of functional graphs (several inputs, merge layers): one description built as
 * an upconv Model and as a float64 oracle graph with the same float32 weights, then the checks
 * of check.ts — the oracle's analytic gradients against its central differences, and
 * `model.computeGradients` on every backend against both. Trainable Dense layers sit in front of
 * the layers under test, so their input gradients reach a weight.
 */
import { expect, it } from 'vitest';
import { Dense, getBackend, Input, type KerasTensor, type Layer, Model, type Tensor, tensor } from '../../bindings/index.js';
import { BACKENDS, use } from '../util/backends.js';
import { Rng } from '../util/rng.js';
import { fdIndices, gradMismatch } from './check.js';
import type { Weighted } from './chain.js';
import { analytic, finiteDifferences, type OGraph, type ONode, type Problem } from './oracle/graph.js';
import type { OracleOp } from './oracle/op.js';
import * as O from './oracle/ops.js';
import { maxAbs, size, val } from './oracle/values.js';

export interface DagWeights {
  names: string[];
  shapes: number[][];
  data: Float32Array[];
}

export interface DagNode {
  /** Value ids: 0 … inputs − 1 the model inputs, then one per node in order. */
  from: number[];
  layer: (name: string) => Layer;
  oracle: OracleOp;
  /** The layer's weights in get_weights() order (set on the layer, copied into the oracle). */
  weights?: DagWeights;
  /** apply() arguments (TFOpLambda's kwargs). */
  args?: { kwargs?: Record<string, unknown> };
  /** Call with a list even for one input (merge layers). */
  list?: boolean;
}

export interface DagSpec {
  /** Sample shapes of the model inputs. */
  inputs: number[][];
  nodes: DagNode[];
}

export interface BuiltDag {
  model: Model;
  layers: Layer[];
  graph: OGraph;
  weighted: Weighted[];
  /** Output sample shape (from the oracle). */
  outputShape: number[];
}

/** Random Dense weights (glorot-like scale, as chain.ts draws them). */
export function denseWeights(r: Rng, fanIn: number, units: number): DagWeights {
  const lim = 1.5 / Math.sqrt(fanIn);
  return { names: ['kernel', 'bias'], shapes: [[fanIn, units], [units]], data: [r.uniformF32(fanIn * units, -lim, lim), r.uniformF32(units, -0.5, 0.5)] };
}

/** A trainable Dense node (random weights unless given). */
export function denseNode(from: number, fanIn: number, units: number, r: Rng, weights?: DagWeights): DagNode {
  return { from: [from], layer: (name) => new Dense(units, { name }), oracle: O.dense(units, true), weights: weights ?? denseWeights(r, fanIn, units) };
}

/** Builds the graph in upconv (a functional Model) and in the oracle. */
export function buildDag(spec: DagSpec, batch: number, prefix = 'g'): BuiltDag {
  const ins = spec.inputs.map((s, i) => Input({ shape: s, name: `${prefix}_input${i}` }));
  const sym: KerasTensor[] = [...ins];
  const nodes: ONode[] = [];
  const weighted: Weighted[] = [];
  const layers: Layer[] = [];
  spec.nodes.forEach((n, i) => {
    const name = `${prefix}${i}`;
    const layer = n.layer(name);
    layers.push(layer);
    const args = n.from.map((v) => sym[v]);
    sym.push(layer.apply(n.list || args.length > 1 ? args : args[0], n.args ?? {}));
    let params = null;
    if (n.weights) {
      const w = n.weights;
      layer.setWeights(w.data.map((d, j) => tensor(d, w.shapes[j])));
      params = { name, values: w.data.map((d) => Float64Array.from(d)), trainable: w.names.map(() => true) };
      weighted.push({ layerName: name, names: w.names, shapes: w.shapes, set: params });
    }
    nodes.push({ op: n.oracle, inputs: n.from, params });
  });
  const out = sym.length - 1;
  const model = new Model({ inputs: ins, outputs: sym[out] });
  const graph: OGraph = { inputs: spec.inputs.length, nodes, outputs: [out] };
  // the output shape by the oracle's own forward on zeros
  const values = spec.inputs.map((s) => val(new Float64Array(batch * size(s)), [batch, ...s]));
  let shape: readonly number[] = [];
  const all = [...values];
  for (const n of nodes) {
    const v = n.op.forward(n.inputs.map((k) => all[k]), n.params?.values ?? []);
    all.push(v);
    shape = v.shape;
  }
  return { model, layers, graph, weighted, outputShape: shape.slice(1) };
}

export interface DagCase {
  name: string;
  batch: number;
  seed: number;
  /** The graph, from a generator seeded with the case's seed. */
  spec: (r: Rng) => DagSpec;
  /** Input values (default U(−1, 1)). */
  inputs?: (i: number, count: number, r: Rng) => Float32Array;
  /** Values sit on kinks or ties (routing by TF's rule): compare with the analytic oracle only. */
  atKinks?: boolean;
  rtol?: number;
  /** Called on the built graph once (e.g. to give noise layers their noise). */
  prepare?: (b: BuiltDag, r: Rng) => void;
}

interface DagReference {
  built: BuiltDag;
  xs: Tensor[];
  y: Tensor;
  loss: number;
  analytic: Float64Array[][];
  fd: Float64Array[][];
}

function reference(c: DagCase): DagReference {
  const r = new Rng(c.seed);
  const spec = c.spec(r);
  const built = buildDag(spec, c.batch);
  c.prepare?.(built, r);
  const xs = spec.inputs.map((s, i) => {
    const n = c.batch * size(s);
    return tensor(c.inputs ? c.inputs(i, n, r) : r.uniformF32(n, -1, 1), [c.batch, ...s]);
  });
  const y = tensor(r.uniformF32(c.batch * size(built.outputShape), -1, 1), [c.batch, ...built.outputShape]);
  const problem: Problem = { graph: built.graph, xs: xs.map((x) => val(x.data, x.shape)), targets: [Float64Array.from(y.data)], loss: [{ name: 'mse' }] };
  const sets = built.weighted.map((w) => w.set);
  const a = analytic(problem, sets);
  const fd = c.atKinks ? a.grads.map((g) => g.map((t) => new Float64Array(t.length).fill(Number.NaN))) : finiteDifferences(problem, sets, fdIndices);
  return { built, xs, y, loss: a.loss, analytic: a.grads, fd };
}

function scaleOf(grads: Float64Array[][]): number {
  return Math.max(1e-30, ...grads.flat().map(maxAbs));
}

/** The tests of one case: the oracle against its finite differences, then every backend against the oracle. */
export function itChecksDag(c: DagCase): void {
  let ref: DagReference | null = null;
  const get = () => (ref ??= reference(c));
  if (!c.atKinks) {
    it('oracle: analytic gradients equal finite differences', () => {
      const R = get();
      const scale = scaleOf(R.analytic);
      const problems: string[] = [];
      R.built.weighted.forEach((w, i) => w.names.forEach((n, j) => {
        const p = gradMismatch(R.analytic[i][j], R.fd[i][j], 1e-6, scale);
        if (p) problems.push(`${w.layerName}/${n}: ${p}`);
      }));
      expect(problems).toEqual([]);
    });
  }
  it.each(BACKENDS)('computeGradients matches the oracle on %s', async (backend) => {
    await use(backend);
    expect(getBackend()).toBe(backend);
    const R = get();
    const { model, weighted } = R.built;
    const g = model.computeGradients(R.xs, R.y, { loss: 'mse', wrt: model.trainableWeights });
    const problems: string[] = [];
    if (!(Math.abs(g.loss - R.loss) <= 1e-5 * Math.max(1, Math.abs(R.loss)))) problems.push(`loss ${g.loss}, expected ${R.loss}`);
    const scale = scaleOf(R.analytic);
    const rtol = c.rtol ?? 2e-4;
    const seen = new Set<string>();
    g.variables.forEach((v, k) => {
      const [layerName, spec] = v.name.split('/');
      const i = weighted.findIndex((w) => w.layerName === layerName);
      const j = i < 0 ? -1 : weighted[i].names.indexOf(spec);
      if (j < 0) {
        problems.push(`unexpected variable ${v.name}`);
        return;
      }
      seen.add(v.name);
      const a = gradMismatch(g.gradients[k].data, R.analytic[i][j], rtol, scale);
      if (a) problems.push(`${v.name} vs analytic: ${a}`);
      const f = gradMismatch(g.gradients[k].data, R.fd[i][j], rtol, scale);
      if (f) problems.push(`${v.name} vs finite differences: ${f}`);
    });
    weighted.forEach((w) => w.names.forEach((n) => { if (!seen.has(`${w.layerName}/${n}`)) problems.push(`no gradient for ${w.layerName}/${n}`); }));
    expect(problems).toEqual([]);
  });
}
