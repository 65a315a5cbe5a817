/**
 * Decodes base64: natively where the runtime has a decoder (Node's and Bun's Buffer, atob in
 * Deno, browsers and workers: about 10× faster than a JavaScript loop V8 has not optimised yet,
 * which is what a cold start runs), else with a loop (neither is everywhere).
 */
export function decodeBase64(b64: string): Uint8Array {
  const g = globalThis as { Buffer?: { from(s: string, enc: 'base64'): Uint8Array }; atob?: (s: string) => string };
  if (typeof g.Buffer?.from === 'function') {
    const b = g.Buffer.from(b64, 'base64');
    return new Uint8Array(b.buffer, b.byteOffset, b.length);
  }
  if (typeof g.atob === 'function') {
    let s: string;
    try {
      s = g.atob(b64);
    } catch {
      return decodeBase64Loop(b64); // atob refuses what the loop reads leniently (a config's odd padding)
    }
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  return decodeBase64Loop(b64);
}

/** The portable decoder (exported for its test). @internal */
export function decodeBase64Loop(b64: string): Uint8Array {
  const table = new Uint8Array(128);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  const clean = b64.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let j = 0;
  for (let i = 0; i < clean.length; i++) {
    acc = (acc << 6) | table[clean.charCodeAt(i)];
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}
