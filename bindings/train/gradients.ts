/**
 * Gradients for custom training loops (the keras-io `train_step` pattern with
 * `tf.GradientTape`): the loss of a model on a batch and its gradients with respect to chosen
 * weights, through the whole model (e.g. `new Sequential([g, d])` with respect to g's weights),
 * without changing anything; `optimizer.applyGradients(pairs)` then updates the weights.
 */
import { currentBackend } from '../backend/select.js';
import { ConfigError, ShapeError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import type { Model, ModelInput, TensorLike } from '../model/model.js';
import { Tensor, tensor } from '../tensor.js';
import { type LossName, Loss, resolveLoss } from './losses.js';
import { SGD } from './optimizers.js';
import { TrainStep } from './step.js';
import { trainableFlags } from './trainer.js';
import { type Variable, variablesOf } from './variables.js';

export interface GradientOptions {
  /** The loss (a name or Loss). */
  loss: LossName | Loss;
  /** The weights to differentiate with respect to (default: the model's trainable weights now). */
  wrt?: readonly Variable[];
}

export interface Gradients {
  /** The loss on the batch (layers in training mode: BN batch statistics, Dropout masks). */
  loss: number;
  /** One gradient per variable of `wrt`, same order and shape. */
  gradients: Tensor[];
  /** The variables they belong to. */
  variables: Variable[];
}

interface Cached { key: string; step: TrainStep }
const steps = new WeakMap<Model, Cached>();

/** The trainable weights of a model now, as Variables (Keras `model.trainable_weights`). */
export function trainableWeightsOf(model: Model): Variable[] {
  const out: Variable[] = [];
  const walk = (m: Model, on: boolean) => {
    for (const l of m.layers) {
      if ('graph' in l) walk(l as Model, on && l.trainable);
      else if (on && l.trainable) out.push(...variablesOf(l).filter((v) => v.trainable));
    }
  };
  walk(model, model.trainable);
  return out;
}

export function computeGradients(model: Model, x: ModelInput, y: TensorLike, options: GradientOptions): Gradients {
  if (!options || typeof options !== 'object') throw new ConfigError(`${model.label}: computeGradients takes { loss, wrt? }`);
  const loss = resolveLoss(options.loss, `${model.label}: computeGradients`);
  const vars = options.wrt ? [...options.wrt] : trainableWeightsOf(model);
  const layers = new Set<Layer>(vars.map((v) => v.layer));
  const inputs = model.coerceInputs(x, 'computeGradients input');
  const outShape = model.outputShapesFor(inputs.map((t) => t.shape.slice(1))).shapes;
  if (outShape.length !== 1) throw new ShapeError(`${model.label}: computeGradients supports one output`);
  const target = y instanceof Tensor ? y : tensor(y as Float32Array);
  const want = [inputs[0].shape[0], ...loss.targetShape(outShape[0] as number[])];
  if (target.shape.join() !== want.join()) throw new ShapeError(`${model.label}: the target has shape [${target.shape}], expected [${want}]`);
  const key = `${[...trainableFlags(model)].map((l) => l.name).join(',')}|${currentBackend().name}|${inputs.map((t) => t.shape.slice(1).join('x')).join('|')}|${JSON.stringify(loss.getConfig())}|${[...layers].map((l) => l.name).join(',')}`;
  let c = steps.get(model);
  if (!c || c.key !== key) {
    // layers run in training mode as their flags say now; gradients for the asked variables
    const modeTrainable = trainableFlags(model);
    c = { key, step: new TrainStep(currentBackend(), model, inputs.map((t) => t.shape.slice(1)), model.memoryLimit, model.label, modeTrainable, [loss], new SGD(), layers) };
    steps.set(model, c);
  }
  const r = c.step.run(inputs, [target], false);
  const grads = c.step.gradients();
  return {
    loss: r.total,
    variables: vars,
    gradients: vars.map((v) => new Tensor(grads.get(v.layer)?.[v.index] ?? new Float32Array(v.layer.specs[v.index].shape.reduce((a, b) => a * b, 1)), v.shape)),
  };
}
