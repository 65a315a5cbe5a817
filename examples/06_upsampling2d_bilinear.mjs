// Tutorial variation (its bilinear-interpolation fragment, run as a whole program): Keras 3 and
// tf.keras 2 interpolate with half-pixel centres, so the corners keep the input values.
import { init, Sequential, tensor, UpSampling2D } from 'upconv';
import { formatIntMatrix } from './print_ints.mjs';

await init();
// define input data
const X = [[1, 2], [3, 4]];
// show input data for context
console.log(formatIntMatrix(X));
// reshape input data into one sample a sample with a channel
const x = tensor(X.flat(), [1, 2, 2, 1]);
// define model
const model = new Sequential();
model.add(new UpSampling2D({ interpolation: 'bilinear', inputShape: [2, 2, 1] }));
// summarize the model
model.summary();
// make a prediction with the model
const yhat = model.predict(x);
// reshape output to remove channel to make printing easier
console.log(yhat.reshape([4, 4]).toString());
