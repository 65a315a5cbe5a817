// The Compare tab: one model, one batch of seeded latents, every backend this browser runs
// (backends.js). Per backend: warm-up runs (V8 first runs WebAssembly in its baseline tier), then
// timed runs until about a second has passed; the median per sample goes in a bar chart and a
// table, and every output is compared with the plain-JavaScript reference's.
import { getBackend, sampleLatents } from 'upconv';
import { backendList } from './backends.js';
import { browserName, inputsFor } from './view.js';

const $ = (id) => document.getElementById(id);
const tick = () => new Promise((r) => setTimeout(r, 0));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function maxDiff(a, b) {
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    const x = Math.abs(a[i] - b[i]);
    if (!(x <= d)) d = x; // NaN counts as a difference
  }
  return d;
}

/** Horizontal bars (SVG) of the medians, each labelled with its value. */
function chartSVG(rows, title) {
  const ok = rows.filter((r) => r.ms != null);
  const max = Math.max(...ok.map((r) => r.ms), 1e-9);
  const W = 720;
  const left = 250;
  const barH = 26;
  const top = 30;
  const H = top + rows.length * (barH + 8) + 10;
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
  const bars = rows.map((r, i) => {
    const y = top + i * (barH + 8);
    const w = r.ms != null ? Math.max(2, ((W - left - 120) * r.ms) / max) : 0;
    const value = r.ms != null ? `${r.ms < 1 ? r.ms.toFixed(3) : r.ms.toFixed(2)} ms` : r.error ? 'not available' : '';
    return `<text x="${left - 8}" y="${y + barH * 0.68}" text-anchor="end" font-size="13">${esc(r.label)}</text>` +
      (r.ms != null ? `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${r.id === 'js' ? '#9aa0a6' : '#1f5fbf'}"/>` : '') +
      `<text x="${left + w + 6}" y="${y + barH * 0.68}" font-size="13">${esc(value)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, sans-serif" role="img" aria-label="${esc(title)}">` +
    `<text x="0" y="18" font-size="14" font-weight="600">${esc(title)}</text>${bars.join('')}</svg>`;
}

export function setupCompare(app) {
  let busy = false;

  async function timeOne(model, x, batch, budgetMs) {
    for (let i = 0; i < 2; i++) model.predict(x); // warm-up (and planning)
    const times = [];
    const t0 = performance.now();
    while (times.length < 3 || (performance.now() - t0 < budgetMs && times.length < 40)) {
      const s = performance.now();
      model.predict(x);
      times.push((performance.now() - s) / batch);
      if (times.length % 4 === 0) await tick();
    }
    return times;
  }

  async function run() {
    if (busy) return;
    busy = true;
    $('cmp-run').disabled = true;
    const chosen = app.models.get($('cmp-model').value) ?? app.models.get('default');
    const batch = Number($('cmp-batch').value);
    const { model, desc, name } = chosen;
    const x = inputsFor(desc, sampleLatents(batch, desc.latent.shape, { seed: 2024 }), 0);
    const rows = [];
    const results = [];
    const before = app.backendName();
    try {
      for (const b of backendList()) {
        const row = { id: b.id, label: b.label };
        rows.push(row);
        $('cmp-status').textContent = `Running ${b.label}…`;
        await tick();
        try {
          await b.activate();
          row.backend = b.id === 'threads' ? `${getBackend()}, ${b.note}` : getBackend();
          if (b.note) row.label = `${b.label} (${b.note})`;
          const out = model.predict(x);
          row.output = Array.isArray(out) ? out[0].data : out.data;
          const times = await timeOne(model, x, batch, b.id === 'js' ? 1500 : 800);
          row.ms = median(times);
          row.runs = times.length;
        } catch (e) {
          row.error = `${e.name}: ${e.message}`;
        }
      }
    } finally {
      await app.restoreBackend(before);
    }
    const ref = rows.find((r) => r.id === 'js' && r.output);
    for (const r of rows) {
      if (r.output && ref) r.diff = r === ref ? 0 : maxDiff(r.output, ref.output);
      // the other backends whose outputs are bit-identical to this one's
      r.same = r.output ? rows.filter((o) => o !== r && o.output && maxDiff(o.output, r.output) === 0).map((o) => o.id) : [];
      results.push({ id: r.id, label: r.label, backend: r.backend ?? null, ms: r.ms ?? null, runs: r.runs ?? 0, diff: r.diff ?? null, same: r.same, error: r.error ?? null });
    }
    const browser = browserName();
    const title = `${name}, batch ${batch}: median ms per sample in ${browser}`;
    $('cmp-chart').innerHTML = chartSVG(rows, title);
    const compared = results.filter((r) => r.diff != null && r.id !== 'js');
    const worst = compared.reduce((w, r) => (w && w.diff >= r.diff ? w : r), null);
    const groups = [];
    for (const r of results.filter((x) => x.diff != null)) {
      if (!groups.some((g) => g.includes(r.id))) groups.push([r.id, ...r.same]);
    }
    const labelOf = (id) => results.find((r) => r.id === id).label;
    $('cmp-caption').textContent = `${browser}. ${worst ? `Largest difference from the JS reference: ${worst.diff === 0 ? '0 (every backend bit-identical)' : `${worst.diff.toExponential(2)} (${worst.label})`}. ` : ''}` +
      `Bit-identical outputs: ${groups.map((g) => g.map(labelOf).join(' = ')).join('; ')}. ` +
      'Relaxed SIMD may fuse multiply-adds and the JS reference rounds some functions differently from WebAssembly, which float32 allows.';
    const tbody = $('cmp-table').querySelector('tbody');
    tbody.replaceChildren(...results.map((r) => {
      const tr = document.createElement('tr');
      tr.dataset.backend = r.id;
      const cells = [r.label, r.ms != null ? r.ms.toFixed(3) : '—', r.runs || '—', r.error ? r.error : r.diff == null ? '—' : r.diff === 0 ? '0 (bit-identical)' : r.diff.toExponential(2), r.same.length ? r.same.map((id) => results.find((o) => o.id === id).label).join(', ') : '—'];
      cells.forEach((c, i) => {
        const td = document.createElement(i === 0 ? 'th' : 'td');
        if (i === 0) td.scope = 'row';
        if (i === 1 || i === 2) td.className = 'num';
        td.textContent = String(c);
        tr.append(td);
      });
      return tr;
    }));
    $('cmp-figure').hidden = false;
    $('cmp-table').hidden = false;
    $('cmp-status').textContent = `Done: ${results.filter((r) => r.ms != null).length} backends timed on ${browser}.`;
    app.state.compare = { browser, batch, model: name, results, worst: worst?.diff ?? null, groups };
    $('cmp-run').disabled = false;
    busy = false;
  }

  $('cmp-run').addEventListener('click', run);
  return {
    /** Lists a model in the model picker. */
    addModel(key, label) {
      const select = $('cmp-model');
      let opt = [...select.options].find((o) => o.value === key);
      if (!opt) select.append((opt = new Option(label, key)));
      opt.textContent = label;
    },
  };
}
