/**
 * The three layouts Keras model configs come in (../shared/conformance-functional/
 * SEMANTICS-functional.md §1): tf.keras 2 / tf.js (`inbound_nodes: [[[name, node, tensor,
 * kwargs], …]]`), standalone Keras 2.2/2.3 (same lists, `Model`), and Keras 3 (`{args, kwargs}`
 * nodes with `__keras_tensor__` records). This file reads them into one form.
 */

type Config = Record<string, unknown>;

export function isObject(x: unknown): x is Config {
  return !!x && typeof x === 'object' && !Array.isArray(x);
}

/** A reference to output `tensor` of call `node` of layer `name`. */
export interface TensorRef {
  readonly name: string;
  readonly node: number;
  readonly tensor: number;
}

/** One inbound node of a layer entry, read. */
export interface NodeSpec {
  readonly refs: TensorRef[];
  /** Called on a list (merge layers) rather than on one tensor. */
  readonly listCall: boolean;
  readonly training?: boolean;
  readonly kwargs: Config;
}

/** Keras major version from "2.10.0", "2.3.0-tf", "3.6.0" (null when unknown). */
export function kerasMajor(version: string | null | undefined): number | null {
  const m = /^(\d+)\./.exec(version ?? '');
  return m ? Number(m[1]) : null;
}

/** Standalone Keras 2.0–2.3 (not tf.keras): every nested model has its own node 0. */
export function isStandaloneKeras2(version: string | null | undefined): boolean {
  return /^2\.[0-3]\.\d+$/.test(version ?? '');
}

/** Finds the model config in the layouts files carry it in, and the Keras version that wrote it. */
export function unwrapModelConfig(json: unknown): { config: unknown; kerasVersion: string | null } {
  let node = json as Config;
  let version: string | null = null;
  const take = (n: Config) => {
    if (typeof n.keras_version === 'string' && version === null) version = n.keras_version;
  };
  if (isObject(node) && isObject(node.modelTopology)) {
    node = node.modelTopology;
    take(node);
  }
  if (isObject(node) && isObject(node.model_config)) {
    take(node);
    node = node.model_config;
  }
  if (isObject(node)) take(node);
  return { config: node, kerasVersion: version };
}

function training(v: unknown): boolean | undefined {
  if (v === true || v === 1) return true;
  if (v === false || v === 0) return false;
  return undefined;
}

function ref(x: unknown): TensorRef | null {
  if (!Array.isArray(x) || typeof x[0] !== 'string' || x.length < 3) return null;
  const [name, node, tensor] = x;
  if (!Number.isSafeInteger(node) || !Number.isSafeInteger(tensor) || node < 0 || tensor < 0 || node > 1e6 || tensor > 1e6) return null;
  return { name, node, tensor };
}

function keras3Tensor(x: unknown): TensorRef | null {
  if (!isObject(x) || x.class_name !== '__keras_tensor__' || !isObject(x.config)) return null;
  return ref(x.config.keras_history);
}

/** Reads one inbound node entry; null when it is not a node in any layout. */
export function readNode(node: unknown): NodeSpec | null {
  if (Array.isArray(node)) {
    // tf.keras 2 TFOpLambda: a single-tensor call written without the outer list
    if (typeof node[0] === 'string') {
      const r = ref(node);
      if (!r) return null;
      const kwargs = isObject(node[3]) ? node[3] : {};
      return { refs: [r], listCall: false, training: training(kwargs.training), kwargs };
    }
    const refs: TensorRef[] = [];
    let kwargs: Config = {};
    for (const t of node) {
      if (Array.isArray(t) && t[0] === '_CONSTANT_VALUE') return null;
      const r = ref(t);
      if (!r) return null;
      refs.push(r);
      if (isObject((t as unknown[])[3])) kwargs = (t as unknown[])[3] as Config;
    }
    if (!refs.length) return null;
    return { refs, listCall: refs.length > 1, training: training(kwargs.training), kwargs };
  }
  if (isObject(node) && Array.isArray(node.args)) {
    const first = node.args[0];
    const kwargs = isObject(node.kwargs) ? node.kwargs : {};
    if (Array.isArray(first)) {
      const refs = first.map(keras3Tensor);
      if (!refs.length || refs.some((r) => r === null)) return null;
      return { refs: refs as TensorRef[], listCall: true, training: training(kwargs.training), kwargs };
    }
    const r = keras3Tensor(first);
    if (!r) return null;
    return { refs: [r], listCall: false, training: training(kwargs.training), kwargs };
  }
  return null;
}

/** `input_layers` / `output_layers`: [[name, node, tensor], …] or a lone [name, node, tensor]. */
export function readEndpoints(x: unknown): TensorRef[] | null {
  if (!Array.isArray(x)) {
    if (isObject(x)) {
      // Keras 3 dict inputs: {name: [name, node, tensor]}
      const refs = Object.values(x).map(ref);
      return refs.every((r) => r !== null) && refs.length ? (refs as TensorRef[]) : null;
    }
    return null;
  }
  if (typeof x[0] === 'string') {
    const r = ref(x);
    return r ? [r] : null;
  }
  const refs = x.map(ref);
  return refs.every((r) => r !== null) ? (refs as TensorRef[]) : null;
}
