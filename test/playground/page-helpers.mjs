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

/**
 * The controls a screen reader would announce without a name: every input, select, textarea,
 * button, [role=button|tab|img] and canvas (in every tab, shown or not) needs a label (<label for>,
 * a wrapping <label>, aria-label, aria-labelledby) or, for buttons and tabs, text. Returns
 * descriptions of the unnamed ones.
 */
export function unlabelledControls(page) {
  return page.evaluate(() => {
    const text = (el) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
    const nameOf = (el) => {
      const by = el.getAttribute('aria-labelledby');
      if (by) return by.split(/\s+/).map((id) => text(document.getElementById(id))).join(' ').trim();
      if (el.getAttribute('aria-label')?.trim()) return el.getAttribute('aria-label').trim();
      if (el.labels?.length) return [...el.labels].map(text).join(' ').trim();
      const role = el.getAttribute('role');
      if (el.tagName === 'BUTTON' || role === 'button' || role === 'tab') return text(el);
      return '';
    };
    const sel = 'input, select, textarea, button, [role=button], [role=tab], [role=img], canvas';
    return [...document.querySelectorAll(sel)]
      .filter((el) => el.type !== 'hidden' && !nameOf(el))
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('role') ? `[role=${el.getAttribute('role')}]` : ''}`);
  });
}
