/**
 * Any value, shown in an error message without throwing: BigInt, Symbol, null-prototype objects,
 * cycles and getters that throw all print something; long output is cut.
 */
export function showValue(value: unknown, max = 120): string {
  const cut = (s: string) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value);
  try {
    const s = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'symbol' ? v.toString()
      : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
    if (s !== undefined) return cut(s);
  } catch {
    /* a cycle or a throwing getter */
  }
  try {
    return cut(Object.prototype.toString.call(value));
  } catch {
    return 'a value';
  }
}
