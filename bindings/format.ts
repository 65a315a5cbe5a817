/**
 * numpy's default `str(array)` for float32 data (array2string: precision 8, floatmode 'maxprec',
 * linewidth 75, threshold 1000 with 3 edge items), so examples print what the Keras tutorial prints.
 */

const PRECISION = 8;
const LINE_WIDTH = 75;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;

/** Shortest decimal significand that reads back as the same float32, as [digits, exponent10]. */
function shortestDigits(x: number): [string, number] {
  for (let p = 1; p <= 9; p++) {
    const s = Math.abs(x).toExponential(p - 1);
    if (Math.fround(Number(s)) === Math.fround(Math.abs(x))) {
      const [mant, exp] = s.split('e');
      return [mant.replace('.', ''), Number(exp)];
    }
  }
  const s = Math.abs(x).toExponential(8);
  const [mant, exp] = s.split('e');
  return [mant.replace('.', ''), Number(exp)];
}

/** Positional digits of |x|: [integer part, fraction part], unique, fraction cut to PRECISION. */
function positional(x: number): [string, string] {
  if (x === 0) return ['0', ''];
  let [digits, e] = shortestDigits(x);
  digits = digits.replace(/0+$/, '') || '0';
  let intPart: string;
  let frac: string;
  if (e >= 0) {
    intPart = digits.slice(0, e + 1).padEnd(e + 1, '0');
    frac = digits.slice(e + 1);
  } else {
    intPart = '0';
    frac = '0'.repeat(-e - 1) + digits;
  }
  if (frac.length > PRECISION) {
    const fixed = Math.abs(x).toFixed(PRECISION);
    [intPart, frac] = fixed.split('.');
    frac = frac.replace(/0+$/, '');
  }
  return [intPart, frac];
}

/** Scientific digits of |x|: [first digit, fraction digits, exponent], unique, cut to PRECISION. */
function scientific(x: number): [string, string, number] {
  if (x === 0) return ['0', '', 0];
  let [digits, e] = shortestDigits(x);
  digits = digits.replace(/0+$/, '') || '0';
  if (digits.length - 1 > PRECISION) {
    const [m, ex] = Math.abs(x).toExponential(PRECISION).split('e');
    digits = m.replace('.', '').replace(/0+$/, '');
    e = Number(ex);
  }
  return [digits[0], digits.slice(1), e];
}

function makeFormatter(values: number[]): (x: number) => string {
  const finite = values.filter(Number.isFinite);
  const nonZero = finite.filter((v) => v !== 0).map(Math.abs);
  let exp = false;
  if (nonZero.length) {
    const max = Math.max(...nonZero);
    const min = Math.min(...nonZero);
    exp = max >= 1e8 || min < 0.0001 || max / min > 1000;
  }
  const sign = (x: number) => (x < 0 || Object.is(x, -0) ? '-' : '');
  let padLeft = 0;
  let padRight = 0;
  // numpy widens the integer part so that nan / inf / -inf fit the column
  const nonFiniteWidth = () => {
    if (finite.length === values.length) return;
    const negInf = values.some((v) => v === -Infinity) ? 1 : 0;
    padLeft = Math.max(padLeft, 3 - (padRight + 1), 3 + negInf - (padRight + 1));
  };
  if (exp) {
    let prec = 0;
    let expSize = 0;
    for (const v of finite) {
      const [d, f, e] = scientific(v);
      padLeft = Math.max(padLeft, sign(v).length + d.length);
      prec = Math.max(prec, f.length);
      expSize = Math.max(expSize, String(Math.abs(e)).length);
    }
    expSize = Math.max(expSize, 2);
    padRight = expSize + 2 + prec;
    nonFiniteWidth();
    return (x) => {
      if (!Number.isFinite(x)) return nonFinite(x, padLeft, padRight);
      const [d, f, e] = scientific(x);
      const mant = `${sign(x)}${d}.${f.padEnd(prec, '0')}`;
      return `${mant.padStart(padLeft + 1 + prec)}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(expSize, '0')}`;
    };
  }
  for (const v of finite) {
    const [i, f] = positional(v);
    padLeft = Math.max(padLeft, sign(v).length + i.length);
    padRight = Math.max(padRight, f.length);
  }
  nonFiniteWidth();
  return (x) => {
    if (!Number.isFinite(x)) return nonFinite(x, padLeft, padRight);
    const [i, f] = positional(x);
    return `${(sign(x) + i).padStart(padLeft)}.${f.padEnd(padRight)}`;
  };
}

function nonFinite(x: number, padLeft: number, padRight: number): string {
  const s = Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  return s.padStart(padLeft + padRight + 1);
}

/** numpy-style text of a row-major array. */
export function formatArray(data: ArrayLike<number>, shape: readonly number[]): string {
  const size = shape.reduce((a, b) => a * b, 1);
  const summarize = size > THRESHOLD;
  if (shape.length === 0) return makeFormatter([data[0]])(data[0]).trim();
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const shownIndices = (len: number) =>
    summarize && len > 2 * EDGE_ITEMS
      ? [...Array(EDGE_ITEMS).keys(), -1, ...Array.from({ length: EDGE_ITEMS }, (_, j) => len - EDGE_ITEMS + j)]
      : [...Array(len).keys()];

  const shown: number[] = [];
  const collect = (axis: number, offset: number) => {
    for (const i of shownIndices(shape[axis])) {
      if (i < 0) continue;
      if (axis === shape.length - 1) shown.push(data[offset + i]);
      else collect(axis + 1, offset + i * strides[axis]);
    }
  };
  if (size > 0) collect(0, 0);
  const fmt = makeFormatter(shown);

  const recurse = (axis: number, offset: number, hanging: string, width: number): string => {
    const left = shape.length - axis;
    const nextHanging = hanging + ' ';
    const nextWidth = width - 1;
    const idx = shownIndices(shape[axis]);
    let s = '';
    if (left === 1) {
      const elemWidth = width - 1;
      let line = hanging;
      idx.forEach((i, k) => {
        const word = i < 0 ? '...' : fmt(data[offset + i]);
        let wrap = line.length + word.length > elemWidth;
        if (line.length <= hanging.length) wrap = false;
        if (wrap) {
          s += line.trimEnd() + '\n';
          line = hanging;
        }
        line += word;
        if (k < idx.length - 1) line += ' ';
      });
      s += line;
    } else {
      const sep = '\n'.repeat(left - 1);
      idx.forEach((i, k) => {
        const nested = i < 0 ? '...' : recurse(axis + 1, offset + i * strides[axis], nextHanging, nextWidth);
        s += (k === 0 ? hanging : hanging) + nested + (k < idx.length - 1 ? sep : '');
      });
    }
    return '[' + s.slice(hanging.length) + ']';
  };
  if (size === 0) return '[]';
  return recurse(0, 0, ' ', LINE_WIDTH);
}
