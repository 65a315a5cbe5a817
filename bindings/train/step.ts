/**
 * A compiled training step for one model, input shapes and backend: the model's Program in
 * training mode (forward values kept for the backward pass), the trainable weights in raw Keras
 * layout with their gradients and optimizer slots, and per batch size a plan: forward steps, the
 * loss, the backward steps in reverse (gradients of values read by several layers summed), the
 * optimizer updates. Weights go back to the layers after each step (their version moves, so other
 * models that share them re-pack on their next use).
 *
 * Timeline of a step (the buffer lifetimes use it): forward call i at i, the loss at F, call i's
 * backward at 2F − i.
 */
import type { Backend } from '../backend/kernels.js';
import { MemoryLimitError, ShapeError, TrainingError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import { align, assignOffsets } from '../memory/planner.js';
import type { Step } from '../ops/op.js';
import type { GraphModel } from '../model/program.js';
import { formatBytes, Program, type ProgramMode } from '../model/program.js';
import type { Tensor } from '../tensor.js';
import type { Loss } from './losses.js';
import type { Optimizer } from './optimizers.js';
import { probabilities } from './metrics.js';

export interface StepResult {
  /** The loss of each output (before the update), and their sum. */
  losses: number[];
  total: number;
  /** The predictions (for metrics): probabilities where the loss took logits. */
  predictions: Float32Array[];
}

interface WeightRegion {
  layer: Layer;
  /** One pointer per spec: raw weights, gradients, and the optimizer's slots. */
  raw: number[];
  grad: number[];
  slots: number[][];
  counts: number[];
}

interface TrainPlan {
  batch: number;
  inputs: Float32Array[];
  outputs: Float32Array[];
  targets: Float32Array[];
  gradOut: Float32Array[];
  forward: Step[];
  backward: Step[];
  /** What each step belongs to ("layer fwd" / "layer bwd"), for profiles. */
  labels: string[];
}

/** @internal When set, every step is timed and the totals per label are added here (profiling). */
export const stepProfile: { on: boolean; ms: Map<string, number> } = { on: false, ms: new Map() };

function runSteps(steps: readonly Step[], labels: readonly string[], offset: number): void {
  if (!stepProfile.on) {
    for (let i = 0; i < steps.length; i++) steps[i]();
    return;
  }
  for (let i = 0; i < steps.length; i++) {
    const t = performance.now();
    steps[i]();
    const l = labels[offset + i];
    stepProfile.ms.set(l, (stepProfile.ms.get(l) ?? 0) + performance.now() - t);
  }
}

/** Gradient values: which value each gradient buffer holds, with its lifetime on the step timeline. */
interface GradBuffer {
  floats: number;
  first: number;
  last: number;
}

export class TrainStep {
  readonly program: Program;
  private readonly regions: WeightRegion[] = [];
  private readonly regionOf = new Map<Layer, WeightRegion>();
  private readonly backStatics: number[] = [];
  /** Layer weight versions the raw region and the backward statics hold. */
  private readonly rawVersion = new Map<Layer, number>();
  private readonly packedBackVersion = new Map<Layer, number>();
  private readonly weightedLayers: Layer[] = [];
  private readonly gradsStart: number;
  private readonly gradsEnd: number;
  private readonly staticEnd: number;
  private plan: TrainPlan | null = null;

  constructor(backend: Backend, model: GraphModel, inputShapes: readonly (readonly number[])[],
              private readonly limit: number, private readonly label: string,
              trainable: ReadonlySet<Layer>, private readonly losses: readonly Loss[],
              private readonly optimizer: Optimizer, wrt: ReadonlySet<Layer> = trainable) {
    const mode: ProgramMode = {
      training: true,
      trainable: (l) => trainable.has(l),
      logits: (i, act) => this.lossFor(i).takesLogits(act),
    };
    const p = new Program(backend, model, inputShapes, limit, label, mode);
    this.program = p;
    // keep the logits only where that output's loss takes them
    p.outputActivation.forEach((act, i) => {
      if (act && !this.lossFor(i).takesLogits(act)) {
        throw new ShapeError(`${label}: output ${i} ends with a ${act} the loss cannot take as logits`);
      }
    });
    // layout after the forward statics: backward statics, then raw weights, gradients, slots
    let at = p.staticEnd;
    for (const c of p.calls) {
      this.backStatics.push(at);
      at += align(c.op.backwardStaticBytes());
    }
    const seen = new Set<Layer>();
    for (const c of p.calls) {
      if (seen.has(c.layer) || !c.layer.specs.length) continue;
      seen.add(c.layer);
      this.weightedLayers.push(c.layer);
    }
    const slotsPer = optimizer.slotCount();
    const counts = (l: Layer) => l.specs.map((s) => s.shape.reduce((a, b) => a * b, 1));
    // raw weights for the layers that get gradients and for those a training-mode op updates (BN)
    const trained = this.weightedLayers.filter((l) => wrt.has(l) || trainable.has(l));
    for (const l of trained) {
      const r: WeightRegion = { layer: l, raw: [], grad: [], slots: [], counts: counts(l) };
      for (const n of r.counts) {
        r.raw.push(at);
        at += align(4 * n);
      }
      this.regions.push(r);
      this.regionOf.set(l, r);
    }
    this.gradsStart = at;
    for (const r of this.regions) {
      for (const n of r.counts) {
        r.grad.push(at);
        at += align(4 * n);
      }
    }
    this.gradsEnd = at;
    for (const r of this.regions) {
      for (const n of r.counts) {
        const s: number[] = [];
        for (let k = 0; k < slotsPer; k++) {
          s.push(at);
          at += align(4 * n);
        }
        r.slots.push(s);
      }
    }
    if (at > limit) throw new MemoryLimitError(`${label}: training needs ${formatBytes(at)} for the weights, their gradients and the optimizer's slots, over the memory limit of ${formatBytes(limit)}; raise memoryLimit`);
    p.memory.ensure(at);
    this.staticEnd = at;
    new Float32Array(p.memory.buffer).fill(0, this.gradsEnd >>> 2, at >>> 2); // slots start at zero
  }

  private lossFor(i: number): Loss {
    return this.losses[Math.min(i, this.losses.length - 1)];
  }

  /**
   * Takes over the optimizer's slots from the step this one replaces (the same compiled model on
   * another backend or input shape), so Adam's moments and the like carry on as with one step.
   */
  adoptSlots(old: TrainStep): void {
    const src = new Float32Array(old.program.memory.buffer);
    const dst = new Float32Array(this.program.memory.buffer);
    for (const r of this.regions) {
      const o = old.regionOf.get(r.layer);
      if (!o) continue;
      r.slots.forEach((slots, j) => slots.forEach((ptr, k) => {
        const from = o.slots[j]?.[k];
        if (from !== undefined && o.counts[j] === r.counts[j]) dst.set(src.subarray(from >>> 2, (from >>> 2) + r.counts[j]), ptr >>> 2);
      }));
    }
  }

  /** The trainable layers whose weights this step updates. */
  get trainedLayers(): Layer[] {
    return this.regions.map((r) => r.layer);
  }

  /** Copies changed weights in from the layers and re-packs what depends on them. */
  private syncIn(): void {
    const p = this.program;
    let f32: Float32Array | null = null;
    for (const r of this.regions) {
      if (this.rawVersion.get(r.layer) === r.layer.weightsVersion) continue;
      f32 ??= new Float32Array(p.memory.buffer);
      r.layer.weightArrays().forEach((w, j) => f32!.set(w, r.raw[j] >>> 2));
      this.rawVersion.set(r.layer, r.layer.weightsVersion);
    }
    p.sync();
    let views: ReturnType<Program['views']> | null = null;
    p.calls.forEach((c, i) => {
      if (!c.op.backwardStaticBytes()) return;
      if (this.packedBackVersion.get(c.layer) === c.layer.weightsVersion && c.layer.specs.length) return;
      views ??= p.views();
      c.op.packBackward(views, this.backStatics[i], c.layer.weightArrays());
    });
    for (const l of this.weightedLayers) this.packedBackVersion.set(l, l.weightsVersion);
    for (const c of p.calls) if (!c.layer.specs.length) this.packedBackVersion.set(c.layer, c.layer.weightsVersion);
  }

  /** Copies the updated weights out to the layers (their versions move). */
  private syncOut(): void {
    const f32 = new Float32Array(this.program.memory.buffer);
    for (const r of this.regions) {
      const arrays = r.layer.weightArrays() as Float32Array[];
      r.counts.forEach((n, j) => arrays[j].set(f32.subarray(r.raw[j] >>> 2, (r.raw[j] >>> 2) + n)));
      r.layer.touchWeights();
      this.rawVersion.set(r.layer, r.layer.weightsVersion);
    }
  }

  /** The plan for a batch size (made once per size). */
  private planFor(batch: number): TrainPlan {
    if (this.plan && this.plan.batch === batch) return this.plan;
    this.plan = null;
    this.plan = this.makePlan(batch);
    return this.plan;
  }

  private makePlan(batch: number): TrainPlan {
    const p = this.program;
    const F = p.calls.length;
    // which values need a gradient: those downstream of a trainable layer
    const needs = new Array<boolean>(p.values.length).fill(false);
    p.calls.forEach((c) => {
      if (this.regionOf.has(c.layer) || c.inputs.some((v) => needs[v])) needs[c.output] = true;
    });
    // consumers of each value, in forward order (the loss consumes the outputs)
    const consumers: number[][] = p.values.map(() => []);
    p.calls.forEach((c, i) => c.inputs.forEach((v) => { if (needs[v]) consumers[v].push(i); }));
    // gradient buffers: grad[v] for every value that needs one; aliases share
    const grads: GradBuffer[] = [];
    const gradOf = new Array<number>(p.values.length).fill(-1);
    const newGrad = (floats: number, first: number): number => {
      grads.push({ floats, first, last: first });
      return grads.length - 1;
    };
    const touch = (g: number, t: number) => {
      grads[g].first = Math.min(grads[g].first, t);
      grads[g].last = Math.max(grads[g].last, t);
    };
    for (const v of p.outputValues) if (needs[v] && gradOf[v] < 0) gradOf[v] = newGrad(p.values[v].floats, F);
    /** For each (call, input position): the buffer its backward writes, and a buffer to add it into after (or -1). */
    const writes: { to: number; addInto: number }[][] = p.calls.map((c) => c.inputs.map(() => ({ to: -1, addInto: -1 })));
    for (let i = F - 1; i >= 0; i--) {
      const c = p.calls[i];
      const t = 2 * F - i;
      if (needs[c.output] && gradOf[c.output] >= 0) touch(gradOf[c.output], t);
      c.inputs.forEach((v, j) => {
        if (!needs[v]) return;
        const first = gradOf[v] < 0;
        if (first) {
          // the latest forward consumer writes the value's gradient itself (an alias op passes its own)
          gradOf[v] = c.op.aliasesInput && gradOf[c.output] >= 0 ? gradOf[c.output] : newGrad(p.values[v].floats, t);
          writes[i][j] = { to: gradOf[v], addInto: -1 };
        } else {
          const part = c.op.aliasesInput && gradOf[c.output] >= 0 ? gradOf[c.output] : newGrad(p.values[v].floats, t);
          writes[i][j] = { to: part, addInto: gradOf[v] };
          touch(part, t);
        }
        touch(gradOf[v], t);
      });
    }
    // a gradient lives until its producer's backward reads it
    p.calls.forEach((c, i) => { if (gradOf[c.output] >= 0) touch(gradOf[c.output], 2 * F - i); });

    // one arena: forward buffers (lifetimes from the Program), gradient buffers, tables, targets
    const lifetimes = [
      ...p.buffers.map((b) => ({ bytes: 4 * batch * b.floats, first: b.first, last: b.last })),
      ...grads.map((g) => ({ bytes: 4 * batch * g.floats, first: g.first, last: g.last })),
    ];
    const { offsets, size } = assignOffsets(lifetimes);
    const arena = this.staticEnd;
    const fwdTables = p.calls.map((c) => align(c.op.tableBytes(batch)));
    const backTables = p.calls.map((c) => align(c.op.backwardTableBytes(batch)));
    let at = arena + size;
    const fwdTableAt: number[] = [];
    const backTableAt: number[] = [];
    for (let i = 0; i < F; i++) {
      fwdTableAt.push(at);
      at += fwdTables[i];
      backTableAt.push(at);
      at += backTables[i];
    }
    const targetAt = p.outputValues.map((v, i) => {
      const ptr = at;
      const shape = this.lossFor(i).targetShape(p.values[v].shape);
      at += align(4 * batch * shape.reduce((a, b) => a * b, 1));
      return ptr;
    });
    if (!Number.isSafeInteger(at) || at > this.limit) {
      throw new MemoryLimitError(`${this.label}: a training step on a batch of ${batch} needs ${formatBytes(at)}, over the memory limit of ${formatBytes(this.limit)}; use a smaller batch or raise memoryLimit`);
    }
    p.memory.ensure(at);
    const { f32, u32 } = p.views();
    const buf = p.memory.buffer;
    const valuePtr = (v: number) => arena + offsets[p.values[v].buffer];
    const gradPtr = (g: number) => arena + offsets[p.buffers.length + g];
    const k = p.kernels;

    const forward: Step[] = [];
    const labels: string[] = [];
    p.calls.forEach((c, i) => {
      if (c.fused) return;
      const r = this.regionOf.get(c.layer);
      const before = forward.length;
      forward.push(...c.op.steps({
        kernels: k, f32, u32, batch, inputs: c.inputs.map(valuePtr), output: valuePtr(c.output),
        statics: c.statics, tables: fwdTableAt[i], zeroRow: p.zeroRow, epilogue: c.epilogue, weights: r?.raw,
      }));
      for (let s = before; s < forward.length; s++) labels.push(`${c.layer.name} fwd`);
    });
    const backward: Step[] = [];
    for (let i = F - 1; i >= 0; i--) {
      const c = p.calls[i];
      const r = this.regionOf.get(c.layer);
      const dInputs = writes[i].map((w) => (w.to >= 0 ? gradPtr(w.to) : -1));
      if (gradOf[c.output] < 0 || (!r && dInputs.every((d) => d < 0))) continue;
      const dOutput = gradPtr(gradOf[c.output]);
      const before = backward.length;
      if (!c.op.aliasesInput) {
        backward.push(...c.op.backward({
          kernels: k, f32, u32, batch, inputs: c.inputs.map(valuePtr), output: valuePtr(c.output), dOutput, dInputs,
          weights: r?.raw ?? [], dWeights: r ? r.grad : null, statics: c.statics, tables: fwdTableAt[i],
          backStatics: this.backStatics[i], backTables: backTableAt[i], zeroRow: p.zeroRow,
        }));
      }
      writes[i].forEach((w, j) => {
        if (w.addInto < 0) return;
        const src = gradPtr(w.to);
        const dst = gradPtr(w.addInto);
        const n = batch * p.values[c.inputs[j]].floats;
        if (src !== dst) backward.push(() => k.accumulate(src, dst, n));
      });
      for (let s = before; s < backward.length; s++) labels.push(`${c.layer.name} bwd`);
    }
    const view = (ptr: number, floats: number) => new Float32Array(buf, ptr, floats);
    return {
      batch,
      forward,
      backward,
      labels,
      inputs: p.inputValues.map((v) => view(valuePtr(v), batch * p.values[v].floats)),
      outputs: p.outputValues.map((v) => view(valuePtr(v), batch * p.values[v].floats)),
      targets: p.outputValues.map((v, i) => view(targetAt[i], batch * this.lossFor(i).targetShape(p.values[v].shape).reduce((a, b) => a * b, 1))),
      gradOut: p.outputValues.map((v) => (gradOf[v] >= 0 ? view(gradPtr(gradOf[v]), batch * p.values[v].floats) : new Float32Array(batch * p.values[v].floats))),
    };
  }

  /**
   * One step on a batch: inputs and targets checked by the caller. Returns the losses computed
   * before the update. `apply: false` computes the loss and gradients but changes nothing.
   */
  run(inputs: readonly Tensor[], targets: readonly Tensor[], apply = true): StepResult {
    try {
      return this.runChecked(inputs, targets, apply);
    } catch (e) {
      // the forward pass may have moved BN statistics in the raw region: reload it from the layers
      this.rawVersion.clear();
      throw e;
    }
  }

  private runChecked(inputs: readonly Tensor[], targets: readonly Tensor[], apply: boolean): StepResult {
    this.syncIn();
    const batch = inputs[0].shape[0];
    const plan = this.planFor(batch);
    const p = this.program;
    inputs.forEach((t, i) => plan.inputs[i].set(t.data));
    targets.forEach((t, i) => plan.targets[i].set(t.data));
    for (let i = 0; i < plan.inputs.length; i++) {
      const bad = p.kernels.firstNonFinite(plan.inputs[i].byteOffset, plan.inputs[i].length);
      if (bad >= 0) throw new ShapeError(`${this.label}: the training input holds a non-finite value (${inputs[i].data[bad]}) at index ${bad}`);
    }
    // BN moving statistics are updated in the forward pass: keep them to restore when not applying
    const saved = apply ? null : this.regions.map((r) => r.raw.map((ptr, j) => new Float32Array(p.memory.buffer, ptr, r.counts[j]).slice()));
    new Float32Array(p.memory.buffer).fill(0, this.gradsStart >>> 2, this.gradsEnd >>> 2);
    runSteps(plan.forward, plan.labels, 0);
    const losses: number[] = [];
    const predictions: Float32Array[] = [];
    plan.outputs.forEach((out, i) => {
      const act = p.outputActivation[i];
      const shape = [batch, ...p.values[p.outputValues[i]].shape];
      losses.push(this.lossFor(i).compute(out, plan.targets[i], plan.gradOut[i], shape, act));
      predictions.push(act ? probabilities(out, act, shape[shape.length - 1]) : out);
    });
    const total = losses.reduce((a, b) => a + b, 0);
    if (!Number.isFinite(total)) {
      if (saved) this.restore(saved);
      throw new TrainingError(`${this.label}: the loss is ${total} (non-finite); no update was applied`);
    }
    runSteps(plan.backward, plan.labels, plan.forward.length);
    if (!apply) {
      this.restore(saved!);
      return { losses, total, predictions };
    }
    // a non-finite gradient stops the step before any weight changes
    for (const r of this.regions) {
      r.grad.forEach((g, j) => {
        const bad = p.kernels.firstNonFinite(g, r.counts[j]);
        if (bad >= 0) {
          throw new TrainingError(`${this.label}: the gradient of ${r.layer.label}/${r.layer.specs[j].name} holds a non-finite value at index ${bad}; no update was applied`);
        }
      });
    }
    this.optimizer.prepare();
    for (const r of this.regions) r.counts.forEach((n, j) => this.optimizer.update(p.kernels, r.raw[j], r.grad[j], r.slots[j], n));
    this.optimizer.iterations++;
    this.syncOut();
    return { losses, total, predictions };
  }

  private restore(saved: Float32Array[][]): void {
    const f32 = new Float32Array(this.program.memory.buffer);
    this.regions.forEach((r, i) => r.raw.forEach((ptr, j) => f32.set(saved[i][j], ptr >>> 2)));
  }

  /** The gradients of the last `run(…, false)`, per trained layer and spec (copies). */
  gradients(): Map<Layer, Float32Array[]> {
    const f32 = new Float32Array(this.program.memory.buffer);
    const out = new Map<Layer, Float32Array[]>();
    for (const r of this.regions) out.set(r.layer, r.grad.map((g, j) => f32.slice(g >>> 2, (g >>> 2) + r.counts[j])));
    return out;
  }
}
