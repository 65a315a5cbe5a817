/**
 * Operators: what runs one layer call. A Keras layer (bindings/layers/) knows its config, shape
 * rules and weight specs; given concrete input shapes it makes an Op, which knows the kernels'
 * packing, index tables and steps. Kernels (assembly/, backend/reference.ts) know loops only.
 *
 * An Op is made once per layer call and input shape (a shared layer has one Op per call site);
 * it computes its tables once and answers every planning question from them.
 */
import type { Act, Kernels } from '../backend/kernels.js';

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
}
