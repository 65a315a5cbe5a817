/**
 * TensorFlow's depth_to_space as TF 2 Keras files hold it (a TensorFlowOpLayer node_def or a
 * TFOpLambda call): the shape rule and argument checks both layer classes share.
 */
import { ConfigError, ShapeError } from '../errors.js';
import { mapDim, type Shape, shapeString } from '../shape_rules.js';
import { showValue } from '../show.js';

/** Largest block size accepted (TF has no limit; 64² channels per output pixel block is plenty). */
const MAX_BLOCK = 64;

/** A block_size argument (an int, or the decimal string a node_def attr holds) as an int ≥ 2. */
export function blockSizeOf(value: unknown, where: string): number {
  const n = typeof value === 'string' && /^\d{1,4}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 2 || n > MAX_BLOCK) {
    throw new ConfigError(`${where}: DepthToSpace block_size must be an integer from 2 to ${MAX_BLOCK}, got ${showValue(value)}`);
  }
  return n;
}

/** A data_format argument: only NHWC (null / absent mean NHWC). */
export function checkNHWC(value: unknown, where: string): void {
  if (value !== undefined && value !== null && value !== 'NHWC') {
    throw new ConfigError(`${where}: DepthToSpace data_format ${showValue(value)} is not supported (upconv is NHWC only)`);
  }
}

/** (H, W, C) → (H·b, W·b, C/b²); C must be a multiple of b². */
export function depthToSpaceShape(input: Shape, b: number, where: string): Shape {
  if (input.length !== 3) throw new ShapeError(`${where}: DepthToSpace expects input of rank 4 (batch, height, width, channels), got ${shapeString(input)}`);
  const [h, w, c] = input;
  if (c === null) throw new ShapeError(`${where}: DepthToSpace needs a known channel count, got ${shapeString(input)}`);
  if (c % (b * b) !== 0) throw new ShapeError(`${where}: DepthToSpace with block_size ${b} needs channels divisible by ${b * b}, got ${shapeString(input)}`);
  return [mapDim(h, (n) => n * b), mapDim(w, (n) => n * b), c / (b * b)];
}
