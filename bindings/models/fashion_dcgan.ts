/**
 * upconv's own generator: a DCGAN trained by upconv itself, in JavaScript, on Fashion-MNIST
 * (Zalando, MIT licence): 100 normal latents → one 28×28×1 garment in [-1, 1] (tanh). The weights
 * ship in this entry as float16 (about 1.6 MB) and are never part of the core entry. Its model
 * card (training command, seed, figures) is `docs/models/fashion-dcgan.md` in the package.
 *
 * ```js
 * import { sampleLatents, toPNG } from 'upconv';
 * import { fashionDCGAN, LATENT_DIM } from 'upconv/models/fashion-dcgan';
 * const g = fashionDCGAN();
 * const png = toPNG(g.predict(sampleLatents(16, LATENT_DIM, { seed: 1 })), { range: 'tanh' });
 * ```
 *
 * @module upconv/models/fashion-dcgan
 */
import { tensor } from '../tensor.js';
import { Sequential } from '../model/sequential.js';
import { decodeHalfBase64 } from './half_weights.js';
import { fashionGenerator, LATENT_DIM } from './fashion_dcgan_arch.js';
import { TRAINED } from './fashion_dcgan_weights.js';

export { fashionGenerator, LATENT_DIM };

/** The ten Fashion-MNIST classes, in the dataset's label order. */
export const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/** Where the shipped weights come from (the full card: docs/models/fashion-dcgan.md). */
export interface FashionDCGANCard {
  /** The data and its licence. */
  readonly data: string;
  /** The licence of the weights. */
  readonly licence: string;
  /** The command that trained them (from the repository's root). */
  readonly command: string;
  readonly seed: number;
  /** The epoch whose checkpoint was shipped. */
  readonly epoch: number;
  /** Output range: tanh, i.e. [-1, 1] (map with `range: 'tanh'`). */
  readonly range: 'tanh';
}

/** The model card's key facts. */
export const modelCard: FashionDCGANCard = {
  data: 'Fashion-MNIST training split (60,000 images), Zalando Research, MIT licence',
  licence: 'MIT (as the package)',
  command: TRAINED.command,
  seed: TRAINED.seed,
  epoch: TRAINED.epoch,
  range: 'tanh',
};

/**
 * The trained generator: a new Sequential each call (its own weights, free to fine-tune), input
 * `[batch, 100]`, output `[batch, 28, 28, 1]` in [-1, 1].
 */
export function fashionDCGAN(options: { name?: string } = {}): Sequential {
  const model = fashionGenerator(options);
  const values = decodeHalfBase64(TRAINED.float16, TRAINED.shapes);
  model.setWeights(values.map((v, i) => tensor(v, TRAINED.shapes[i])));
  return model;
}
