// Small functions the checks run in the page (page.evaluate), and node-side helpers around them.

/** { lo, hi, distinct, hash } of a canvas's red channel (the samples are gray). */
export function canvasStats(page, id) {
  return page.evaluate((canvasId) => {
    const c = document.getElementById(canvasId);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let lo = 255;
    let hi = 0;
    let h = 2166136261;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4) {
      lo = Math.min(lo, d[i]);
      hi = Math.max(hi, d[i]);
      seen.add(d[i]);
      h = Math.imul(h ^ d[i], 16777619);
    }
    return { lo, hi, distinct: seen.size, hash: (h >>> 0).toString(16), width: c.width, height: c.height };
  }, id);
}

/** Drops files on an element as a user's drag and drop does (a DataTransfer with File objects). */
export async function dropFiles(page, selector, files) {
  const payload = files.map((f) => ({ name: f.name, b64: Buffer.from(f.bytes).toString('base64') }));
  await page.evaluate(({ sel, items }) => {
    const dt = new DataTransfer();
    for (const { name, b64 } of items) {
      const bin = atob(b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], name));
    }
    const el = document.querySelector(sel);
    for (const type of ['dragenter', 'dragover', 'drop']) el.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { sel: selector, items: payload });
}
