import { ModelFormatError, UpconvError } from '../errors.js';

/**
 * Errors of the model-import entry point. All are `UpconvError`s; the format ones are also
 * `ModelFormatError`s, so `catch (e) { if (e instanceof ModelFormatError) … }` covers every
 * "this file cannot be a model we run" case.
 */

/** A source that cannot be read: a missing file, an HTTP error, a shard that is not there. */
export class FileSourceError extends UpconvError {
  constructor(message: string) {
    super(message, 'SOURCE', 'FileSourceError');
    this.name = 'FileSourceError'; // literal: minifiers rename classes
  }
}

/** A weight-shard path in a model.json that points outside the model's folder (or to another origin). */
export class UnsafePathError extends FileSourceError {
  constructor(message: string) {
    super(message);
    (this as { code: string }).code = 'UNSAFE_PATH';
    this.name = 'UnsafePathError';
  }
}

/** Bytes that are none of the formats upconv reads (HDF5, zip, JSON). */
export class UnknownFormatError extends ModelFormatError {
  constructor(message: string) {
    super(message);
    (this as { code: string }).code = 'UNKNOWN_FORMAT';
    this.name = 'UnknownFormatError';
  }
}

/** A container (HDF5, zip, tf.js shard) that is damaged: truncated, bad offsets, bad checksums, inflate errors. */
export class CorruptFileError extends ModelFormatError {
  constructor(message: string) {
    super(message);
    (this as { code: string }).code = 'CORRUPT_FILE';
    this.name = 'CorruptFileError';
  }
}

/** A well-formed model that uses something upconv does not run; `problems` lists every item. */
export class UnsupportedModelError extends ModelFormatError {
  readonly problems: string[];
  constructor(what: string, problems: string[]) {
    super(`${what}: ${problems.length} unsupported item${problems.length === 1 ? '' : 's'}:\n  ${problems.join('\n  ')}`);
    (this as { code: string }).code = 'UNSUPPORTED_MODEL';
    this.name = 'UnsupportedModelError';
    this.problems = problems;
  }
}
