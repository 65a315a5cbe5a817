/**
 * Operators: what runs one layer call. A Keras layer (bindings/layers/) knows its config, shape
 * rules and weight specs; given concrete input shapes it makes an Op, which knows the kernels'
 * packing, index tables and steps. Kernels (assembly/, backend/reference.ts) know loops only.
 *
 * An Op is made once per layer call and input shape (a shared layer has one Op per call site);
 * it computes its tables once and answers every planning question from them.
 */
import type { Act, Kernels } from '../backend/kernels.js';
import { ConfigError } from '../errors.js';

/** A cheap activation (linear, relu, leaky relu) that a GEMM or scale-shift epilogue applies. */
export interface Epilogue {
  readonly act: Act;
  readonly alpha: number;
}

/** One kernel call with its arguments bound. */
export type Step = () => void;

/** Typed views of a backend memory (re-made after it grows). */
export interface MemoryViews {
  readonly f32: Float32Array;
  readonly u32: Uint32Array;
}

/** What an op's steps need: buffers as byte pointers and the backend's kernels. */
export interface StepContext extends MemoryViews {
  readonly kernels: Kernels;
  readonly batch: number;
  /** One byte pointer per op input. */
  readonly inputs: readonly number[];
  readonly output: number;
  /** The op's static block (packed weights, tap tables), written by `pack`. */
  readonly statics: number;
  /** The op's per-batch tables (`tableBytes`). */
  readonly tables: number;
  /** A row of zero floats at least `zeroRowFloats()` long. */
  readonly zeroRow: number;
  /** An activation taken over from the next op, for this op's epilogue (or null). */
  readonly epilogue: Epilogue | null;
  /** In a training step: pointers to the layer's raw weights (Keras layout, spec order). */
  readonly weights?: readonly number[];
}

/** What an op's backward steps need (a training step; see train/plan.ts). */
export interface BackwardContext extends MemoryViews {
  readonly kernels: Kernels;
  readonly batch: number;
  /** Forward input and output pointers (valid when `backwardReads` asked for them). */
  readonly inputs: readonly number[];
  readonly output: number;
  /** The gradient of the output (the op may overwrite it). */
  readonly dOutput: number;
  /** Where to write each input's gradient; -1 when no gradient is needed for it. */
  readonly dInputs: readonly number[];
  /** The layer's weights (raw Keras layout, one pointer per spec) and their gradient accumulators (null: frozen). */
  readonly weights: readonly number[];
  readonly dWeights: readonly number[] | null;
  /** The forward's statics and tables, and this op's own backward statics and tables. */
  readonly statics: number;
  readonly tables: number;
  readonly backStatics: number;
  readonly backTables: number;
  readonly zeroRow: number;
}

export abstract class Op {
  /** The layer this op runs (profiles and errors name it). */
  readonly layerName: string;

  protected constructor(layerName: string) {
    this.layerName = layerName;
  }

  /** The output is the first input's buffer, untouched (Reshape, Flatten, identities). */
  get aliasesInput(): boolean {
    return false;
  }

  /** The output may be written over the first input (elementwise ops). */
  get inPlace(): boolean {
    return false;
  }

  /** Bytes of weight-derived data (packed weights, tap tables) kept for the model's life. */
  staticBytes(): number {
    return 0;
  }

  /** Writes the static block at byte pointer `ptr` from the layer's weights (Keras order). */
  pack(_mem: MemoryViews, _ptr: number, _weights: readonly Float32Array[]): void {}

  /** Bytes of per-batch tables (indirection pointers). */
  tableBytes(_batch: number): number {
    return 0;
  }

  /** Length of the zero row that padding taps point at. */
  zeroRowFloats(): number {
    return 0;
  }

  /** Whether this op's kernels can apply the next op's activation in their epilogue. */
  get acceptsEpilogue(): boolean {
    return false;
  }

  /** The activation this (in-place) op amounts to, if an epilogue can apply it instead. */
  epilogueOffer(): Epilogue | null {
    return null;
  }

  /** The kernel calls of one plan (writes the per-batch tables). */
  abstract steps(ctx: StepContext): Step[];

  // ---- training ----

  /** Which forward values the backward pass reads. */
  backwardReads(): { inputs: boolean; output: boolean } {
    return { inputs: false, output: false };
  }

  /** Bytes of backward-only weight-derived data (e.g. transposed packed weights). */
  backwardStaticBytes(): number {
    return 0;
  }

  /** Writes the backward statics (after every weight update). */
  packBackward(_mem: MemoryViews, _ptr: number, _weights: readonly Float32Array[]): void {}

  /** Bytes of per-batch backward tables and scratch. */
  backwardTableBytes(_batch: number): number {
    return 0;
  }

  /** The backward kernel calls (gradients of inputs and weights). */
  backward(_ctx: BackwardContext): Step[] {
    throw new ConfigError(`${this.layerName}: this layer cannot be trained yet (no backward pass)`);
  }
}

/** An op whose output is its input (Reshape, Flatten, Dropout and other inference identities). */
export class IdentityOp extends Op {
  constructor(layerName: string) {
    super(layerName);
  }

  get aliasesInput(): boolean {
    return true;
  }

  steps(): Step[] {
    return [];
  }

  /** The gradient passes through: the planner aliases the input's gradient to the output's. */
  backward(): Step[] {
    return [];
  }
}
