// Fetches Fashion-MNIST's IDX files in a page or worker (fetch + DecompressionStream('gzip')):
// from a folder URL (the page's own folder, where copy-data.mjs puts them), or from File objects
// the user picked (plain or .gz).
import { fashionBytes, idxNames, isGzip, parseIdx } from './idx-parse.mjs';

async function inflate(bytes) {
  if (!isGzip(bytes)) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function fetchOne(base, name, onProgress) {
  const url = new URL(`${name}.gz`, base);
  let res;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`fetching ${url} failed (${e.message})`);
  }
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}; copy the data next to the page first (node examples/fashion/copy-data.mjs --to <folder>)`);
  // the whole body at once: reading res.body with a reader makes Chromium report the request as
  // aborted (net::ERR_ABORTED) when the bytes are all there before the load has completed
  const total = Number(res.headers.get('content-length')) || 0;
  onProgress?.({ file: name, loaded: 0, total });
  const bytes = new Uint8Array(await res.arrayBuffer());
  onProgress?.({ file: name, loaded: bytes.length, total: bytes.length });
  return parseIdx(await inflate(bytes), url.pathname);
}

/** The split from `<base>/<name>-idx?-ubyte.gz`; `base` is a folder URL (ending in '/'). */
export async function fetchFashion(base, split = 'train', { onProgress } = {}) {
  const names = idxNames(split);
  const images = await fetchOne(base, names.images, onProgress);
  const labels = await fetchOne(base, names.labels, onProgress);
  return fashionBytes(images, labels, `${base}`);
}

/**
 * The split from File/Blob objects the user picked: the images and labels files of one split
 * (found by name: train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz], or t10k-…).
 */
export async function fashionFromFiles(files, split = 'train') {
  const names = idxNames(split);
  const find = (stem) => [...files].find((f) => f.name === stem || f.name === `${stem}.gz`);
  const img = find(names.images);
  const lab = find(names.labels);
  if (!img || !lab) throw new Error(`pick ${names.images}(.gz) and ${names.labels}(.gz); got ${[...files].map((f) => f.name).join(', ') || 'no files'}`);
  const read = async (f) => parseIdx(await inflate(new Uint8Array(await f.arrayBuffer())), f.name);
  return fashionBytes(await read(img), await read(lab), img.name);
}
