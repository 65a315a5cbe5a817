import { expect, it } from 'vitest';
import { Dense, Sequential, UpconvError } from '../bindings/index.js';

// This file never imports upconv/io (vitest isolates test files), so the method must explain itself.
it('model.loadWeights without upconv/io says which import enables it', async () => {
  const m = new Sequential([new Dense(2, { inputDim: 3 })]);
  const before = m.getWeights().map((w) => Array.from(w.data));
  await expect(m.loadWeights('x.weights.h5')).rejects.toThrow(UpconvError);
  await expect(m.loadWeights('x.weights.h5')).rejects.toThrow(/import 'upconv\/io'/);
  expect(m.getWeights().map((w) => Array.from(w.data))).toEqual(before);
});
