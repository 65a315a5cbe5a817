/**
 * A model compiled for one backend and concrete input shapes: the graph flattened into primitive
 * layer calls (nested models inlined), one op per call, buffers decided (aliases, in-place
 * writes, fused epilogues) and the static region laid out and packed. Plans (plan.ts) add a batch
 * size on top.
 *
 * Memory layout: [base | zero row | op statics … | activations (by liveness) | per-batch tables]
 */
import type { Backend, KernelMemory, Kernels } from '../backend/kernels.js';
import { ConfigError, MemoryLimitError, ShapeError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import type { CallArgs, KerasTensor, Node } from '../layers/node.js';
import { align } from '../memory/planner.js';
import type { Epilogue, MemoryViews, Op } from '../ops/op.js';
import { type Shape, shapeString } from '../shape_rules.js';
import type { Graph } from './graph.js';

/** A model as the planner sees it: a graph whose nodes may call nested models. */
export interface GraphModel {
  readonly graph: Graph;
}

/** How a program is made: for predict, or for a training step. */
export interface ProgramMode {
  /** Layers run in training mode (BatchNormalization batch statistics, Dropout masks). */
  readonly training: boolean;
  /** Whether a layer's weights train (the compile-time flags); frozen BNs run in inference mode. */
  trainable(layer: Layer): boolean;
  /**
   * Model outputs produced by a sigmoid/softmax are left as logits (the loss applies it): all of
   * them, or those for which the predicate (output index, activation) says so (that output's loss).
   */
  readonly logits: boolean | ((output: number, act: 'sigmoid' | 'softmax') => boolean);
}

export const PREDICT: ProgramMode = { training: false, trainable: () => false, logits: false };

/** One primitive layer call. */
export interface Call {
  readonly layer: Layer;
  op: Op;
  /** The node's own call arguments (from the graph). */
  readonly args: CallArgs;
  /** Value ids read, and the one written. */
  readonly inputs: readonly number[];
  readonly output: number;
  /** This call's work is done by the previous call's epilogue. */
  fused: boolean;
  /** The next call's activation, applied by this call's epilogue. */
  epilogue: Epilogue | null;
  /** Byte pointer of the op's static block. */
  statics: number;
}

export interface Value {
  /** Sample shape (no batch). */
  readonly shape: readonly number[];
  readonly floats: number;
  /** Buffer id (values that alias share one). */
  buffer: number;
}

export interface BufferSpec {
  /** Floats per sample. */
  readonly floats: number;
  /** First and last call index at which the buffer is alive (-1: before the first call). */
  first: number;
  last: number;
}

/** Programs and plans built so far in this process (tests check that a predict did not plan again). @internal */
export const planStats = { programs: 0, plans: 0 };

export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} bytes`;
}

function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Is `layer` a model (its nodes are inlined)? Duck-typed to keep this file free of model imports. */
function isModel(layer: Layer): layer is Layer & GraphModel {
  return (layer as Partial<GraphModel>).graph !== undefined;
}

export class Program {
  readonly backend: Backend;
  readonly memory: KernelMemory;
  readonly kernels: Kernels;
  readonly calls: Call[] = [];
  readonly values: Value[] = [];
  readonly buffers: BufferSpec[] = [];
  readonly inputValues: number[] = [];
  readonly outputValues: number[] = [];
  readonly zeroRow: number;
  readonly staticEnd: number;
  readonly mode: ProgramMode;
  /** For each model output: the activation its logits shortcut left to the loss (logits mode). */
  readonly outputActivation: ('sigmoid' | 'softmax' | null)[] = [];
  /** Layers whose weights the statics hold, with the version packed. */
  private readonly packed: { layer: Layer; version: number; calls: Call[] }[] = [];

  constructor(backend: Backend, model: GraphModel, inputShapes: readonly (readonly number[])[], limit: number, label: string,
              mode: ProgramMode = PREDICT) {
    this.backend = backend;
    this.mode = mode;
    planStats.programs++;
    this.flatten(model, inputShapes, label);
    this.makeOps();
    this.decideBuffers();
    // static layout (before any memory is made)
    const base = 64; // any backend's base is below this
    let at = 0;
    let zeroFloats = 4;
    for (const c of this.calls) zeroFloats = Math.max(zeroFloats, c.op.zeroRowFloats());
    at += align(4 * zeroFloats);
    const offsets: number[] = [];
    for (const c of this.calls) {
      offsets.push(at);
      at += align(c.op.staticBytes());
    }
    if (base + at > limit) {
      throw new MemoryLimitError(`${label}: the weights need ${formatBytes(at)} of backend memory, over the memory limit of ${formatBytes(limit)}; raise model.memoryLimit`);
    }
    const { memory, kernels } = backend.createMemory(limit);
    this.memory = memory;
    this.kernels = kernels;
    this.zeroRow = memory.base;
    this.calls.forEach((c, i) => { c.statics = memory.base + offsets[i]; });
    this.staticEnd = memory.base + at;
    memory.ensure(this.staticEnd);
    const byLayer = new Map<Layer, Call[]>();
    for (const c of this.calls) {
      if (!c.op.staticBytes()) continue;
      const list = byLayer.get(c.layer);
      if (list) list.push(c);
      else byLayer.set(c.layer, [c]);
    }
    for (const [layer, calls] of byLayer) this.packed.push({ layer, version: -1, calls });
    this.limit = limit;
    this.sync(true);
  }

  private readonly limit: number;

  /** Views of the memory now (re-made after growth). */
  views(): MemoryViews {
    const buf = this.memory.buffer;
    return { f32: new Float32Array(buf), u32: new Uint32Array(buf) };
  }

  /**
   * Re-packs the statics of every layer whose weights changed since they were packed. `first`
   * (the constructor, when nothing lives past the statics yet): each layer's weights are copied
   * past the statics first and packed from there by the kernels (see MemoryViews.staged).
   */
  sync(first = false): void {
    let views: MemoryViews | null = null;
    for (const p of this.packed) {
      if (p.version === p.layer.weightsVersion) continue;
      const weights = p.layer.weightArrays();
      const staged = first ? this.stage(weights) : null;
      if (staged) views = staged;
      else if (!views || views.staged) views = this.views();
      for (const c of p.calls) c.op.pack(views, c.statics, weights);
      p.version = p.layer.weightsVersion;
    }
  }

  /** Copies `weights` past the statics (where the activations go later); null if over the memory limit. */
  private stage(weights: readonly Float32Array[]): MemoryViews | null {
    let bytes = 0;
    for (const w of weights) bytes += align(4 * w.length);
    if (bytes < 4096 || this.staticEnd + bytes > this.limit) return null;
    this.memory.ensure(this.staticEnd + bytes);
    const { f32, u32 } = this.views();
    const at = new Map<Float32Array, number>();
    let p = this.staticEnd;
    for (const w of weights) {
      f32.set(w, p >>> 2);
      at.set(w, p);
      p += align(4 * w.length);
    }
    return { f32, u32, staged: { at, kernels: this.kernels } };
  }

  /** Primitive calls of the graph in execution order, nested models inlined. */
  private flatten(model: GraphModel, inputShapes: readonly (readonly number[])[], label: string): void {
    const outer = new Map<KerasTensor, number>();
    model.graph.inputs.forEach((t, i) => {
      const v = this.newValue(inputShapes[i]);
      outer.set(t, v);
      this.inputValues.push(v);
    });
    const outs = this.inline(model, outer, label, 0);
    this.outputValues.push(...outs);
  }

  private newValue(shape: readonly number[]): number {
    this.values.push({ shape: [...shape], floats: product(shape), buffer: -1 });
    return this.values.length - 1;
  }

  /** Adds the calls of `model` whose inputs are bound in `bound`; returns its output values. */
  private inline(model: GraphModel, bound: Map<KerasTensor, number>, label: string, depth: number): number[] {
    if (depth > 64) throw new ShapeError(`${label}: models nested more than 64 deep`);
    for (const node of model.graph.nodes) this.callNode(node, bound, label, depth);
    return model.graph.outputs.map((t) => bound.get(t)!);
  }

  private callNode(node: Node, bound: Map<KerasTensor, number>, label: string, depth: number): void {
    const ins = node.inputs.map((t) => bound.get(t)!);
    const layer = node.layer;
    if (isModel(layer)) {
      const inner = new Map<KerasTensor, number>();
      const mInputs = layer.graph.inputs;
      if (mInputs.length !== ins.length) throw new ShapeError(`${label}: ${layer.label} takes ${mInputs.length} inputs, got ${ins.length}`);
      mInputs.forEach((t, i) => inner.set(t, ins[i]));
      const outs = this.inline(layer, inner, label, depth + 1);
      node.outputs.forEach((t, i) => bound.set(t, outs[i]));
      return;
    }
    const shapes = ins.map((v) => this.values[v].shape as number[]);
    const { output } = layer.planCall(shapes as Shape[]);
    if (output.some((d) => d === null)) throw new ShapeError(`${label}: ${layer.label} gives ${shapeString(output)} for inputs ${shapes.map(shapeString).join(', ')}`);
    const out = this.newValue(output as number[]);
    this.calls.push({ layer, op: null as unknown as Op, args: node.args, inputs: ins, output: out, fused: false, epilogue: null, statics: 0 });
    bound.set(node.outputs[0], out);
  }

  /** One op per call, with the mode's training flags and logits outputs. */
  private makeOps(): void {
    const producer = new Map<number, Call>();
    for (const c of this.calls) producer.set(c.output, c);
    const logitsCalls = new Set<Call>();
    const logits = this.mode.logits;
    this.outputValues.forEach((v, i) => {
      const c = producer.get(v);
      const found = logits && c ? c.layer.outputActivation() : null;
      const act = found && (typeof logits === 'function' ? logits(i, found) : logits) ? found : null;
      this.outputActivation.push(act);
      if (act && c) logitsCalls.add(c);
    });
    for (const c of this.calls) {
      if (this.mode.training && c.layer.trainingRefusal) {
        throw new ConfigError(`${c.layer.label}: training with ${c.layer.trainingRefusal} from the model file is not supported yet (upconv would leave it out of the step); set it to null to train`);
      }
      const shapes = c.inputs.map((v) => this.values[v].shape as number[]);
      const args: CallArgs = {
        ...c.args,
        training: c.args.training ?? (this.mode.training ? true : undefined),
        frozen: this.mode.training ? !this.mode.trainable(c.layer) : undefined,
        linearOutput: logitsCalls.has(c) ? true : undefined,
      };
      c.op = c.layer.operator(shapes, this.values[c.output].shape, args);
    }
  }

  /**
   * Buffers: model inputs get their own; an aliasing op's output is its input's buffer; an
   * in-place op writes over its input when nothing reads that buffer later; a cheap in-place
   * activation right after a call that only it reads is fused into that call's epilogue.
   */
  private decideBuffers(): void {
    const lastRead = new Array<number>(this.values.length).fill(-1);
    this.calls.forEach((c, i) => { for (const v of c.inputs) lastRead[v] = i; });
    const F = this.calls.length;
    // a training step: forward calls 0..F-1, the loss at F, call i's backward at 2F - i
    const END = this.mode.training ? 2 * F : F;
    for (const v of this.outputValues) lastRead[v] = END;
    if (this.mode.training) {
      this.calls.forEach((c, i) => {
        const reads = c.op.backwardReads();
        if (reads.inputs) for (const v of c.inputs) lastRead[v] = Math.max(lastRead[v], 2 * F - i);
        if (reads.output) lastRead[c.output] = Math.max(lastRead[c.output], 2 * F - i);
      });
    }
    const protectedBuffers = new Set<number>();
    // the last read of any value a buffer holds so far (aliases made later read the value too)
    const bufferLastRead: number[] = [];
    const place = (v: number, b: number): void => {
      this.values[v].buffer = b;
      bufferLastRead[b] = Math.max(bufferLastRead[b] ?? -1, lastRead[v]);
    };
    const newBuffer = (floats: number, first: number): number => {
      this.buffers.push({ floats, first, last: first });
      return this.buffers.length - 1;
    };
    for (const v of this.inputValues) {
      const b = newBuffer(this.values[v].floats, -1);
      place(v, b);
      protectedBuffers.add(b);
    }
    this.calls.forEach((c, i) => {
      const inBuf = this.values[c.inputs[0]]?.buffer ?? -1;
      const outValue = this.values[c.output];
      if (c.op.aliasesInput) {
        place(c.output, inBuf);
      } else if (c.op.inPlace && !protectedBuffers.has(inBuf) && bufferLastRead[inBuf] <= i &&
                 this.values[c.inputs[0]].floats === outValue.floats) {
        place(c.output, inBuf);
      } else {
        place(c.output, newBuffer(outValue.floats, i));
      }
      for (const v of c.inputs) {
        const b = this.values[v].buffer;
        this.buffers[b].last = Math.max(this.buffers[b].last, i);
      }
    });
    // values the backward pass reads stay alive until then
    for (let v = 0; v < this.values.length; v++) {
      const b = this.values[v].buffer;
      if (b >= 0) this.buffers[b].last = Math.max(this.buffers[b].last, lastRead[v]);
    }
    for (const v of this.outputValues) this.buffers[this.values[v].buffer].last = END;
    for (const b of this.buffers) if (b.first === -1) b.last = Math.max(b.last, 0);
    // epilogue fusion
    for (let i = 0; i + 1 < this.calls.length; i++) {
      const c = this.calls[i];
      const next = this.calls[i + 1];
      if (c.fused || !c.op.acceptsEpilogue || !next.op.inPlace) continue;
      if (next.inputs.length !== 1 || next.inputs[0] !== c.output || lastRead[c.output] !== i + 1) continue;
      if (this.values[next.output].buffer !== this.values[c.output].buffer) continue;
      const offer = next.op.epilogueOffer();
      if (!offer) continue;
      c.epilogue = offer;
      next.fused = true;
    }
  }
}
