import { expect } from 'vitest';
import { modelFromJSON, type Sequential, type Tensor } from '../../bindings/index.js';

/**
 * getConfig → modelFromJSON: the model read back from its own JSON text writes the same config,
 * takes the same weights and predicts the same values.
 */
export function expectConfigRoundTrip(model: Sequential, x: Tensor): void {
  const json = model.toJSON();
  const back = modelFromJSON(JSON.stringify(json));
  expect(back.toJSON()).toEqual(json);
  back.setWeights(model.getWeights());
  expect(Array.from((back.predict(x) as Tensor).data)).toEqual(Array.from(model.predict(x).data));
}
