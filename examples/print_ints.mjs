// numpy's print of a small integer matrix ([[1 2]\n [3 4]]), for the tutorial's input arrays.
export function formatIntMatrix(rows) {
  const width = Math.max(...rows.flat().map((v) => String(v).length));
  return '[' + rows.map((r) => '[' + r.map((v) => String(v).padStart(width)).join(' ') + ']').join('\n ') + ']';
}
