// The default model: upconv's own Fashion-MNIST DCGAN (upconv/models/fashion-dcgan), loaded on
// first use (its weights are a separate chunk). Where a build of upconv ships no trained weights
// (fashionDCGAN() throws), the same architecture with fresh seeded weights stands in, and the page
// says so.
import { setSeed } from 'upconv';

export async function loadDefaultModel() {
  const entry = await import('upconv/models/fashion-dcgan');
  try {
    const model = entry.fashionDCGAN();
    const card = entry.modelCard;
    return {
      model,
      name: 'upconv’s Fashion-MNIST DCGAN',
      about: `upconv's own DCGAN, trained in JavaScript on Fashion-MNIST (Zalando, MIT)${card?.epoch ? `, epoch ${card.epoch}, seed ${card.seed}` : ''}; 100 latents → 28×28 garments.`,
      trained: true,
      classes: entry.CLASSES,
    };
  } catch (e) {
    setSeed(0);
    return {
      model: entry.fashionGenerator(),
      name: 'Fashion-MNIST DCGAN (untrained)',
      about: `This build of upconv has no trained weights for its default model (fashionDCGAN() threw ${e.name}): showing the same architecture with fresh weights.`,
      trained: false,
    };
  }
}
