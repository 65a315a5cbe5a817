import { ModelFormatError, UpconvError } from '../errors.js';
import { checkLayerEntry, layerFromEntry } from '../layers/registry.js';
import { Sequential } from './sequential.js';

type Config = Record<string, unknown>;

/**
 * Finds the Sequential config in the layouts Keras and TensorFlow.js write:
 * `model.to_json()` (tf.keras 2 / Keras 2.2 / Keras 3), a tf.js `model.json` ({modelTopology}),
 * an .h5 `model_config` attribute, or Keras 2.0's bare list of layers.
 */
function findSequential(json: Config): { name?: string; layers: unknown[]; keras2: boolean } {
  let node: unknown = json;
  if (node && typeof node === 'object' && 'modelTopology' in (node as Config)) node = (node as Config).modelTopology;
  if (node && typeof node === 'object' && 'model_config' in (node as Config)) node = (node as Config).model_config;
  if (!node || typeof node !== 'object') throw new ModelFormatError('modelFromJSON: the config is not a JSON object');
  const n = node as Config;
  // Keras 1/2 (and tf.js) write keras_version "2.x"; Keras 3 writes "3.x" or module keys
  const keras2 = typeof n.keras_version === 'string' && /^[12]\./.test(n.keras_version);
  if (typeof n.class_name !== 'string') throw new ModelFormatError('modelFromJSON: missing class_name at the top level (expected a Keras model config)');
  if (n.class_name !== 'Sequential') {
    throw new ModelFormatError(`modelFromJSON: only Sequential models are supported here, got '${n.class_name}'`);
  }
  const cfg = n.config;
  if (Array.isArray(cfg)) return { layers: cfg, keras2 };
  if (!cfg || typeof cfg !== 'object' || !Array.isArray((cfg as Config).layers)) {
    throw new ModelFormatError('modelFromJSON: Sequential config has no layers list');
  }
  return { name: (cfg as Config).name as string | undefined, layers: (cfg as Config).layers as unknown[], keras2 };
}

/** Keras 2's hard_sigmoid is clip(0.2x + 0.5, 0, 1); Keras 3 changed it to relu6(x + 3) / 6. */
function keras2HardSigmoid(entry: unknown): unknown {
  const cfg = (entry as Config)?.config as Config | undefined;
  if (!cfg || cfg.activation !== 'hard_sigmoid') return entry;
  return { ...(entry as Config), config: { ...cfg, activation: 'hard_sigmoid_keras2' } };
}

/** Builds a Sequential from a Keras model config (JSON string or parsed object). */
export function modelFromJSON(json: string | object): Sequential {
  let parsed: unknown = json;
  if (typeof json === 'string') {
    try {
      parsed = JSON.parse(json);
    } catch (e) {
      throw new ModelFormatError(`modelFromJSON: not valid JSON (${(e as Error).message})`);
    }
  }
  const { name, layers: entries, keras2 } = findSequential(parsed as Config);
  const layers = keras2 ? entries.map(keras2HardSigmoid) : entries;
  const problems = layers.flatMap((entry, i) => checkLayerEntry(entry, i));
  if (problems.length) throw new ModelFormatError(`modelFromJSON: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  const model = new Sequential({ name: typeof name === 'string' ? name : undefined });
  layers.forEach((entry, i) => {
    const layer = layerFromEntry(entry as Config);
    try {
      model.add(layer);
    } catch (e) {
      if (e instanceof ModelFormatError) throw e;
      throw new ModelFormatError(`modelFromJSON: layer ${i} (${layer.label}): ${(e as UpconvError).message}`);
    }
  });
  return model;
}
