// Tutorial example 4: a simple generator with one Conv2DTranspose doing the upsampling.
import { Conv2DTranspose, Dense, init, Reshape, Sequential } from 'upconv';

await init();
// define model
const model = new Sequential();
// define input shape, output enough activations for for 128 5x5 image
model.add(new Dense(128 * 5 * 5, { inputDim: 100 }));
// reshape vector of activations into 128 feature maps with 5x5
model.add(new Reshape([5, 5, 128]));
// double input from 128 5x5 to 1 10x10 feature map
model.add(new Conv2DTranspose(1, [3, 3], { strides: [2, 2], padding: 'same' }));
// summarize model
model.summary();
