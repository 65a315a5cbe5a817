// Tutorial example 2: a simple generator with UpSampling2D followed by a Conv2D.
import { Conv2D, Dense, init, Reshape, Sequential, UpSampling2D } from 'upconv';

await init();
// define model
const model = new Sequential();
// define input shape, output enough activations for for 128 5x5 image
model.add(new Dense(128 * 5 * 5, { inputDim: 100 }));
// reshape vector of activations into 128 feature maps with 5x5
model.add(new Reshape([5, 5, 128]));
// double input from 128 5x5 to 1 10x10 feature map
model.add(new UpSampling2D());
// fill in detail in the upsampled feature maps and output a single image
model.add(new Conv2D(1, [3, 3], { padding: 'same' }));
// summarize model
model.summary();
