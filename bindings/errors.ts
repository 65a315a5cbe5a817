/** Base class of every error upconv throws on purpose. `code` says which kind of failure it is. */
export class UpconvError extends Error {
  readonly code: string;
  constructor(message: string, code = 'UPCONV', name = 'UpconvError') {
    super(message);
    this.name = name; // literal: minified bundles rename classes
    this.code = code;
  }
}

/** A layer argument or option that Keras would reject (zero sizes, unknown padding, …). */
export class ConfigError extends UpconvError {
  constructor(message: string) { super(message, 'CONFIG', 'ConfigError'); }
}

/** A tensor whose shape, rank or values do not fit where it is used. */
export class ShapeError extends UpconvError {
  constructor(message: string) { super(message, 'SHAPE', 'ShapeError'); }
}

/** `setWeights` got the wrong number, shapes or values of arrays. */
export class WeightsError extends UpconvError {
  constructor(message: string) { super(message, 'WEIGHTS', 'WeightsError'); }
}

/** A model config (JSON) that cannot be read: malformed, unknown class, unsupported option. */
export class ModelFormatError extends UpconvError {
  constructor(message: string) { super(message, 'MODEL_FORMAT', 'ModelFormatError'); }
}

/** A plan that would need more memory than the configured limit. */
export class MemoryLimitError extends UpconvError {
  constructor(message: string) { super(message, 'MEMORY_LIMIT', 'MemoryLimitError'); }
}

/** The WebAssembly backend could not be loaded or used. */
export class BackendError extends UpconvError {
  constructor(message: string) { super(message, 'BACKEND', 'BackendError'); }
}

/** A training step that cannot go on: a non-finite loss or gradient, a model that was not compiled. */
export class TrainingError extends UpconvError {
  constructor(message: string) { super(message, 'TRAINING', 'TrainingError'); }
}
