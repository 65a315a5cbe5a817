// Tutorial example 3: a 1x1 Conv2DTranspose with stride 2 and weights [1], [0] spreads the input
// over a 4x4 grid with zeros in between.
import { Conv2DTranspose, init, Sequential, tensor } from 'upconv';
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
model.add(new Conv2DTranspose(1, [1, 1], { strides: [2, 2], inputShape: [2, 2, 1] }));
// summarize the model
model.summary();
// define weights that they do nothing
const weights = [tensor([[[[1]]]]), tensor([0])];
// store the weights in the model
model.setWeights(weights);
// make a prediction with the model
const yhat = model.predict(x);
// reshape output to remove channel to make printing easier
console.log(yhat.reshape([4, 4]).toString());
