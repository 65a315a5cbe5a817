// Parses Fashion-MNIST's IDX files (unsigned bytes: magic 0x00000803 for images, 0x00000801 for
// labels) from bytes, in any runtime: idx.mjs reads them from a folder in Node, fetch-idx.mjs
// fetches them in a page.

/** The class names, in label order. */
export const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** The IDX file names of a split ('train' or 't10k'/'test'), without .gz. */
export function idxNames(split = 'train') {
  const prefix = split === 'train' ? 'train' : 't10k';
  return { images: `${prefix}-images-idx3-ubyte`, labels: `${prefix}-labels-idx1-ubyte` };
}

/** True when bytes start with gzip's magic number. */
export function isGzip(bytes) {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** { shape, data } of an unsigned-byte IDX file; `name` is used in error messages. */
export function parseIdx(bytes, name) {
  if (bytes.length < 4) throw new Error(`${name}: ${bytes.length} bytes is too short for an IDX file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (magic >>> 8 !== 0x08) throw new Error(`${name}: not an unsigned-byte IDX file (magic ${magic.toString(16)})`);
  const rank = magic & 0xff;
  if (bytes.length < 4 + 4 * rank) throw new Error(`${name}: truncated IDX header`);
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const data = bytes.subarray(4 + 4 * rank);
  if (data.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`${name}: ${data.length} bytes for shape [${shape}]`);
  return { shape, data };
}

/**
 * The split as bytes: `images` (N·28·28 values 0..255), `labels`, `n`. The training loop turns
 * a batch at a time into [-1, 1] floats (loadFashion in idx.mjs converts the whole split at once).
 */
export function fashionBytes(images, labels, name = 'Fashion-MNIST') {
  if (images.shape.length !== 3 || labels.shape.length !== 1 || labels.shape[0] !== images.shape[0]) {
    throw new Error(`${name}: images [${images.shape}] and labels [${labels.shape}] do not match`);
  }
  const n = images.shape[0];
  return { images: images.data, labels: Uint8Array.from(labels.data), n, shape: [n, images.shape[1], images.shape[2], 1] };
}
