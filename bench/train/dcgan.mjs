// The tutorial DCGAN of issue #11, as a spec both peers build from: generator Dense(100 → 7·7·128)
// → LeakyReLU(0.2) → Reshape → 2 × [Conv2DTranspose 128 4×4 s2 same → LeakyReLU(0.2)] → Conv2D 1
// 7×7 same tanh; discriminator 2 × [Conv2D 64 3×3 s2 same → LeakyReLU(0.2) → Dropout(0.4)] →
// Flatten → Dense 1 sigmoid; Adam(2e-4, 0.5); a step = g.predict on 64 latents, d on 64 real + 64
// fake (one batch of 128), the combined model on 128 latents.

/** FLOPs of one step, counting a multiply-add as 2 (forward F, backward 2F for layers that train or pass gradients). */
export function stepFlops() {
  const mac = {
    g: 100 * 6272 + 7 * 7 * 16 * 128 * 128 + 14 * 14 * 16 * 128 * 128 + 28 * 28 * 49 * 128,
    d: 14 * 14 * 9 * 1 * 64 + 7 * 7 * 9 * 64 * 64 + 3136,
  };
  const fwd = (m, n) => 2 * m * n;
  // g.predict(64): forward; d(128): forward + dW + dX (dX of the first conv not needed: ~3F);
  // gan(128): g forward + backward (3F) and d forward + dX only (2F)
  return fwd(mac.g, 64) + 3 * fwd(mac.d, 128) + 3 * fwd(mac.g, 128) + 2 * fwd(mac.d, 128);
}

export const LATENT = 100;
