// Optimizer updates over flat float32 arrays: Keras 3's formulas and operation order
// (keras/src/optimizers/{adam,sgd,rmsprop}.py :: update_step).

/** Adam: m += (g − m)(1 − β1); v += (g² − v)(1 − β2); [v̂ = max(v̂, v)]; w −= m·alpha / (sqrt(v̂) + ε). */
export function adamUpdate(w: usize, g: usize, m: usize, v: usize, vhat: usize, count: i32,
                           alpha: f32, beta1: f32, beta2: f32, eps: f32, amsgrad: i32): void {
  const end = <usize>count << 2;
  const a1 = <f32>1 - beta1, a2 = <f32>1 - beta2;
  for (let i: usize = 0; i < end; i += 4) {
    const gi = load<f32>(g + i);
    let mi = load<f32>(m + i);
    let vi = load<f32>(v + i);
    mi += (gi - mi) * a1;
    vi += (gi * gi - vi) * a2;
    store<f32>(m + i, mi);
    store<f32>(v + i, vi);
    if (amsgrad) {
      vi = Mathf.max(load<f32>(vhat + i), vi);
      store<f32>(vhat + i, vi);
    }
    store<f32>(w + i, load<f32>(w + i) - (mi * alpha) / (Mathf.sqrt(vi) + eps));
  }
}

/** SGD: w −= g·lr; with momentum m = m·μ − g·lr, then w += m (nesterov: w += m·μ − g·lr). */
export function sgdUpdate(w: usize, g: usize, m: usize, count: i32, lr: f32, momentum: f32, nesterov: i32): void {
  const end = <usize>count << 2;
  for (let i: usize = 0; i < end; i += 4) {
    const gi = load<f32>(g + i);
    if (momentum == 0) {
      store<f32>(w + i, load<f32>(w + i) - gi * lr);
      continue;
    }
    const mi = load<f32>(m + i) * momentum - gi * lr;
    store<f32>(m + i, mi);
    store<f32>(w + i, load<f32>(w + i) + (nesterov ? mi * momentum - gi * lr : mi));
  }
}

/**
 * RMSprop: v = ρv + (1 − ρ)g²; [a = ρa + (1 − ρ)g; den = v − a² + ε] else den = v + ε;
 * inc = lr·g / sqrt(den); with momentum mom = μ·mom + inc, w −= mom; else w −= inc.
 */
export function rmspropUpdate(w: usize, g: usize, v: usize, a: usize, mom: usize, count: i32,
                              lr: f32, rho: f32, momentum: f32, eps: f32, centered: i32): void {
  const end = <usize>count << 2;
  const r1 = <f32>1 - rho;
  for (let i: usize = 0; i < end; i += 4) {
    const gi = load<f32>(g + i);
    const vi = rho * load<f32>(v + i) + r1 * gi * gi;
    store<f32>(v + i, vi);
    let den: f32;
    if (centered) {
      const ai = rho * load<f32>(a + i) + r1 * gi;
      store<f32>(a + i, ai);
      den = vi - ai * ai + eps;
    } else {
      den = vi + eps;
    }
    const inc = lr * gi / Mathf.sqrt(den);
    if (momentum > 0) {
      const mi = momentum * load<f32>(mom + i) + inc;
      store<f32>(mom + i, mi);
      store<f32>(w + i, load<f32>(w + i) - mi);
    } else {
      store<f32>(w + i, load<f32>(w + i) - inc);
    }
  }
}
