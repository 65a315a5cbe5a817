import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The tutorial's worked examples, each run in a fresh process as a user would (`node
 * examples/…`, importing 'upconv' from the built dist/), compared with what the tutorial prints.
 * The tutorial's copy of the summaries has trailing spaces stripped; Keras's print_row pads every
 * row to 65 columns, and so does upconv, so rows are compared with trailing spaces removed and
 * checked separately for their width.
 */

const RULE = '_'.repeat(65);
const DOUBLE = '='.repeat(65);
const HEADER = 'Layer (type)                 Output Shape              Param #';

const EXPECTED: Record<string, string> = {
  '01_upsampling2d.mjs': [
    '[[1 2]', ' [3 4]]',
    RULE, HEADER, DOUBLE,
    'up_sampling2d_1 (UpSampling2 (None, 4, 4, 1)           0',
    DOUBLE,
    'Total params: 0', 'Trainable params: 0', 'Non-trainable params: 0', RULE,
    '[[1. 1. 2. 2.]', ' [1. 1. 2. 2.]', ' [3. 3. 4. 4.]', ' [3. 3. 4. 4.]]',
  ].join('\n'),
  '02_upsampling2d_generator.mjs': [
    RULE, HEADER, DOUBLE,
    'dense_1 (Dense)              (None, 3200)              323200', RULE,
    'reshape_1 (Reshape)          (None, 5, 5, 128)         0', RULE,
    'up_sampling2d_1 (UpSampling2 (None, 10, 10, 128)       0', RULE,
    'conv2d_1 (Conv2D)            (None, 10, 10, 1)         1153',
    DOUBLE,
    'Total params: 324,353', 'Trainable params: 324,353', 'Non-trainable params: 0', RULE,
  ].join('\n'),
  '03_conv2d_transpose.mjs': [
    '[[1 2]', ' [3 4]]',
    RULE, HEADER, DOUBLE,
    'conv2d_transpose_1 (Conv2DTr (None, 4, 4, 1)           2',
    DOUBLE,
    'Total params: 2', 'Trainable params: 2', 'Non-trainable params: 0', RULE,
    '[[1. 0. 2. 0.]', ' [0. 0. 0. 0.]', ' [3. 0. 4. 0.]', ' [0. 0. 0. 0.]]',
  ].join('\n'),
  '04_conv2d_transpose_generator.mjs': [
    RULE, HEADER, DOUBLE,
    'dense_1 (Dense)              (None, 3200)              323200', RULE,
    'reshape_1 (Reshape)          (None, 5, 5, 128)         0', RULE,
    'conv2d_transpose_1 (Conv2DTr (None, 10, 10, 1)         1153',
    DOUBLE,
    'Total params: 324,353', 'Trainable params: 324,353', 'Non-trainable params: 0', RULE,
  ].join('\n'),
  // the tutorial's two UpSampling2D fragments, run as whole programs; values from Keras's rules
  // (conformance cases 001 and 002), printed as numpy prints float32 arrays
  '05_upsampling2d_size_2x3.mjs': [
    '[[1 2]', ' [3 4]]',
    RULE, HEADER, DOUBLE,
    'up_sampling2d_1 (UpSampling2 (None, 4, 6, 1)           0',
    DOUBLE,
    'Total params: 0', 'Trainable params: 0', 'Non-trainable params: 0', RULE,
    '[[1. 1. 1. 2. 2. 2.]', ' [1. 1. 1. 2. 2. 2.]', ' [3. 3. 3. 4. 4. 4.]', ' [3. 3. 3. 4. 4. 4.]]',
  ].join('\n'),
  '06_upsampling2d_bilinear.mjs': [
    '[[1 2]', ' [3 4]]',
    RULE, HEADER, DOUBLE,
    'up_sampling2d_1 (UpSampling2 (None, 4, 4, 1)           0',
    DOUBLE,
    'Total params: 0', 'Trainable params: 0', 'Non-trainable params: 0', RULE,
    '[[1.   1.25 1.75 2.  ]', ' [1.5  1.75 2.25 2.5 ]', ' [2.5  2.75 3.25 3.5 ]', ' [3.   3.25 3.75 4.  ]]',
  ].join('\n'),
};

const dist = new URL('../dist/index.js', import.meta.url);

describe('tutorial examples (fresh process each)', () => {
  it('runs against a built dist/ (npm test builds it first)', () => expect(existsSync(dist)).toBe(true));
  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(file, () => {
      const r = spawnSync(process.execPath, [new URL(`../examples/${file}`, import.meta.url).pathname], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines.map((l) => l.trimEnd()).join('\n')).toBe(expected);
      // summary rows are padded to exactly 65 columns, as Keras's print_row writes them
      for (const l of lines.filter((x) => x.includes('(None,') || x.startsWith('Layer (type)'))) expect(l.length).toBe(65);
    });
  }
});
