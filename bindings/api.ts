/** The public surface shared by every entry point. */
export { init, setBackend, getBackend, type BackendName, type InitOptions, type WasmSource } from './backend/select.js';
export { Tensor, tensor } from './tensor.js';
export { Model, type ModelOptions, type ModelInput, type TensorLike } from './model/model.js';
export { Sequential, type SequentialOptions } from './model/sequential.js';
export { modelFromJSON } from './model/config.js';
export { Layer, type LayerOptions } from './layers/layer.js';
export { KerasTensor, type CallArgs } from './layers/node.js';
export { Input, InputLayer, type InputOptions, type InputLayerOptions } from './layers/input_layer.js';
export { registerLayer, type LayerFactory } from './layers/registry.js';
export { Dense, type DenseOptions } from './layers/dense.js';
export { Reshape } from './layers/reshape.js';
export { Flatten, type FlattenOptions } from './layers/flatten.js';
export { UpSampling2D, type Interpolation, type UpSampling2DOptions } from './layers/up_sampling2d.js';
export { Conv2D } from './layers/conv2d.js';
export { Conv2DTranspose, type Conv2DTransposeOptions } from './layers/conv2d_transpose.js';
export type { ConvOptions } from './layers/base_conv.js';
export { BatchNormalization, type BatchNormalizationOptions } from './layers/batch_normalization.js';
export { LeakyReLU, type LeakyReLUOptions } from './layers/leaky_relu.js';
export { Activation } from './layers/activation.js';
export { Dropout, type DropoutOptions } from './layers/dropout.js';
export { ReLU, type ReLUOptions } from './layers/relu.js';
export { ELU, type ELUOptions } from './layers/elu.js';
export { Softmax, type SoftmaxOptions } from './layers/softmax.js';
export type { ActivationName } from './activations.js';
export type { Padding, Shape, Dim } from './shape_rules.js';
export { resetNames } from './layers/naming.js';
export { setSeed } from './random.js';
export {
  UpconvError, ConfigError, ShapeError, WeightsError, ModelFormatError, MemoryLimitError, BackendError,
} from './errors.js';
export { CustomLayer, type CustomCall, type CustomWeight } from './layers/custom_layer.js';
export type { ActivationArg } from './layers/activation_arg.js';
