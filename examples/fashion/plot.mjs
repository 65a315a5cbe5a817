// A small SVG line plot of the training losses (no dependencies).
export function lossPlotSVG(series, { width = 640, height = 320, title = 'losses' } = {}) {
  const pad = { l: 48, r: 12, t: 28, b: 28 };
  const all = Object.values(series).flat().filter(Number.isFinite);
  const n = Math.max(1, ...Object.values(series).map((s) => s.length));
  const lo = Math.min(0, ...all);
  const hi = Math.max(1e-6, ...all);
  const x = (i) => pad.l + ((width - pad.l - pad.r) * i) / Math.max(1, n - 1);
  const y = (v) => pad.t + (height - pad.t - pad.b) * (1 - (v - lo) / (hi - lo));
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
  const lines = Object.entries(series).map(([name, s], k) => {
    // a moving average over 25 points keeps the curves readable
    const smooth = s.map((_, i) => {
      const a = s.slice(Math.max(0, i - 24), i + 1);
      return a.reduce((p, q) => p + q, 0) / a.length;
    });
    const d = smooth.map((v, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join('');
    return `<path d="${d}" fill="none" stroke="${colors[k % colors.length]}" stroke-width="1.5"/>` +
      `<text x="${width - pad.r - 160}" y="${pad.t + 14 + 14 * k}" fill="${colors[k % colors.length]}" font-size="12">${name}</text>`;
  });
  const ticks = [lo, (lo + hi) / 2, hi].map((v) => `<text x="4" y="${y(v) + 4}" font-size="11">${v.toFixed(2)}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="white"/><text x="${pad.l}" y="18" font-size="13">${title} (steps 1–${n}, moving average of 25)</text>` +
    `<line x1="${pad.l}" y1="${height - pad.b}" x2="${width - pad.r}" y2="${height - pad.b}" stroke="#888"/>` +
    `<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${height - pad.b}" stroke="#888"/>${ticks.join('')}${lines.join('')}</svg>\n`;
}
