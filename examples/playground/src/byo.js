// The Bring-your-own tab: a dropped or chosen .h5 / .keras file, a TensorFlow.js folder
// (model.json + shards, found by the names in its manifest), or a URL, through upconv/io's
// loadModel; then the summary and samples (latent size and output range from the model, a class
// picker for conditional models). Anything it cannot load shows the loader's own message.
import { sampleLatents } from 'upconv';
import { loadModel } from 'upconv/io';
import { describeInputs, detectRange, drawBatch, inputsFor } from './view.js';

const $ = (id) => document.getElementById(id);
const COUNT = 16;

/** Every File under a dropped item (folders read recursively), with its path in `relPath`. */
async function filesOf(dataTransfer) {
  const entries = [...dataTransfer.items].map((i) => i.webkitGetAsEntry?.()).filter(Boolean);
  if (!entries.length) return [...dataTransfer.files];
  const out = [];
  const walk = async (entry, prefix) => {
    if (entry.isFile) {
      const file = await new Promise((res, rej) => entry.file(res, rej));
      file.relPath = prefix + file.name;
      out.push(file);
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
        if (!batch.length) break;
        for (const e of batch) await walk(e, `${prefix}${entry.name}/`);
      }
    }
  };
  for (const e of entries) await walk(e, '');
  return out;
}

/** What loadModel gets for these files: one model file, or a tf.js model.json with its shards. */
function sourceOf(files) {
  if (!files.length) throw new Error('no files');
  const json = files.filter((f) => f.name.toLowerCase().endsWith('.json'));
  if (json.length) {
    const modelJSON = json.find((f) => f.name === 'model.json') ?? json[0];
    return { source: { modelJSON, weightData: files.filter((f) => f !== modelJSON && !f.name.toLowerCase().endsWith('.json')) }, name: modelJSON.relPath || modelJSON.webkitRelativePath || modelJSON.name };
  }
  if (files.length > 1) throw new Error(`${files.length} files and no model.json among them: drop one .h5 or .keras file, or a TensorFlow.js folder`);
  return { source: files[0], name: files[0].name };
}

export function setupByo(app) {
  let entry = null;

  function showError(e) {
    const box = $('byo-error');
    box.hidden = false;
    box.textContent = `${e.name ?? 'Error'}: ${e.message}`;
    if (Array.isArray(e.problems) && e.problems.length && !e.problems.every((p) => e.message.includes(String(p)))) {
      const ul = document.createElement('ul');
      for (const p of e.problems) {
        const li = document.createElement('li');
        li.textContent = String(p);
        ul.append(li);
      }
      box.append(ul);
    }
    app.state.byo = { error: `${e.name}: ${e.message}` };
  }

  function draw() {
    if (!entry || entry.desc.problem) return;
    const seed = Number($('byo-seed').value) >>> 0;
    const z = sampleLatents(COUNT, entry.desc.latent.shape, { seed });
    const label = entry.desc.label ? Number($('byo-label').value) : 0;
    const t0 = performance.now();
    const y = entry.model.predict(inputsFor(entry.desc, z, label));
    const ms = performance.now() - t0;
    const what = drawBatch($('byo-grid'), y, entry.range.range, { columns: 4, scale: 3 });
    $('byo-caption').textContent = `${what}, seed ${seed}${entry.desc.label ? `, class ${label}` : ''}, ${ms.toFixed(1)} ms; range ${entry.range.label}`;
    $('byo-grid').setAttribute('aria-label', `${COUNT} samples from ${entry.name}`);
    app.state.byo = { name: entry.name, drawn: (app.state.byo?.drawn ?? 0) + 1, label: entry.desc.label ? label : null, shape: y.shape };
  }

  async function load(get, name) {
    $('byo-error').hidden = true;
    $('byo-result').hidden = true;
    $('byo-status').textContent = `Loading ${name}…`;
    app.state.byo = { loading: name };
    let model;
    try {
      model = await get();
    } catch (e) {
      $('byo-status').textContent = `Could not load ${name}.`;
      showError(e);
      return;
    }
    const desc = describeInputs(model);
    entry = { model, name, desc, range: detectRange(model) };
    $('byo-summary').textContent = model.summary(null);
    $('byo-result').hidden = false;
    const ins = model.inputs.map((t, i) => `${model.inputNames[i]} [${t.shape.slice(1).join(', ')}]`).join(', ');
    $('byo-info').textContent = desc.problem
      ? `Inputs: ${ins}. No samples: ${desc.problem}.`
      : `Inputs: ${ins}: ${desc.label ? `a latent of ${desc.latent.shape.join('×')} and a class label (${desc.label.classes} classes)` : `a latent of ${desc.latent.shape.join('×')}`}; output [${model.outputShape?.slice(1).join(', ')}]; range ${entry.range.label}.`;
    $('byo-label-box').hidden = !desc.label;
    if (desc.label) {
      $('byo-label').replaceChildren(...Array.from({ length: desc.label.classes }, (_, i) => new Option(String(i), String(i))));
    }
    $('byo-draw').disabled = !!desc.problem;
    $('byo-status').textContent = `Loaded ${name}: ${model.countParams().toLocaleString('en')} parameters.`;
    app.addModel('byo', { model, name, desc });
    draw();
  }

  const fromFiles = (files) => {
    let s;
    try {
      s = sourceOf(files);
    } catch (e) {
      showError(e);
      return;
    }
    load(() => loadModel(s.source, { name: s.name }), s.name);
  };

  const drop = $('byo-drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', async (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    fromFiles(await filesOf(e.dataTransfer));
  });
  const openPicker = () => $('byo-files').click();
  drop.addEventListener('click', openPicker);
  drop.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      openPicker();
    }
  });
  // the page also takes a drop anywhere on the tab
  $('panel-byo').addEventListener('dragover', (e) => e.preventDefault());
  $('panel-byo').addEventListener('drop', async (e) => {
    if (e.defaultPrevented) return;
    e.preventDefault();
    fromFiles(await filesOf(e.dataTransfer));
  });
  $('byo-files').addEventListener('change', (e) => e.target.files.length && fromFiles([...e.target.files]));
  $('byo-folder').addEventListener('change', (e) => e.target.files.length && fromFiles([...e.target.files]));
  $('byo-url-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const url = $('byo-url').value.trim();
    if (url) load(() => loadModel(url), url);
  });
  $('byo-draw').addEventListener('click', draw);
  $('byo-label').addEventListener('change', draw);
  $('byo-seed').addEventListener('keydown', (e) => e.key === 'Enter' && draw());
}
