/** Keras's progress bar line: ` 12/469 [>.............................] - ETA: 10s - loss: 0.6931`. */
export function progressLine(done: number, total: number, elapsedMs: number, values: readonly [string, number][]): string {
  const width = 30;
  const digits = String(total).length;
  const filled = Math.floor((width * done) / total);
  const bar = done >= total ? '='.repeat(width) : `${'='.repeat(Math.max(0, filled - 1))}>${'.'.repeat(width - Math.max(1, filled))}`;
  const eta = done < total ? ` - ETA: ${Math.round(((elapsedMs / done) * (total - done)) / 1000)}s` : ` - ${(elapsedMs / 1000).toFixed(1)}s`;
  const logs = values.map(([k, v]) => ` - ${k}: ${v.toFixed(4)}`).join('');
  return `${String(done).padStart(digits)}/${total} [${bar}]${eta}${logs}`;
}
