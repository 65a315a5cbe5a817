// The playground's shell: tabs (arrow keys, Home/End), the environment line (backend, cross-origin
// isolation, threads), the shared model list, and the four sections. window.__playground holds
// the state the headless test reads (test/playground/).
import { getBackend, init } from 'upconv';
import { bestFlavour, threadsApi, threadsStatus } from './backends.js';
import { setupByo } from './byo.js';
import { setupCompare } from './compare.js';
import { loadDefaultModel } from './default-model.js';
import { setupGenerate } from './generate.js';
import { setupTrain } from './train.js';
import { browserName, describeInputs } from './view.js';

const $ = (id) => document.getElementById(id);

function setupTabs() {
  const tabs = [...document.querySelectorAll('[role=tab]')];
  const select = (tab, focus) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute('aria-controls')).hidden = !on;
    }
    if (focus) tab.focus();
    history.replaceState(null, '', `#${tab.id.slice(4)}`);
  };
  tabs.forEach((t, i) => {
    t.addEventListener('click', () => select(t, false));
    t.addEventListener('keydown', (e) => {
      const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
      if (to === undefined) return;
      e.preventDefault();
      select(tabs[(to + tabs.length) % tabs.length], true);
    });
  });
  const initial = tabs.find((t) => `#${t.id.slice(4)}` === location.hash);
  if (initial) select(initial, false);
}

function isolationText() {
  const coi = window.coi ?? { status: 'off', reason: null };
  if (coi.status === 'headers') return 'cross-origin isolated (COOP/COEP headers)';
  if (coi.status === 'service-worker') return 'cross-origin isolated (service worker: the host sends no COOP/COEP headers)';
  return coi.reason ?? (crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated');
}

async function main() {
  if (window.coi?.status === 'reloading') {
    // the service worker is taking over: the page reloads through it (or reports why not)
    await new Promise((resolve) => {
      window.addEventListener('coi-failed', resolve, { once: true });
    });
  }
  const state = (window.__playground = { ready: false, errors: [] });
  setupTabs();
  await init();
  let defaultFlavour = await bestFlavour();
  const app = {
    state,
    models: new Map(),
    backendName: () => getBackend(),
    /** Back to the backend the page runs on outside the comparison. */
    async restoreBackend() {
      defaultFlavour = await bestFlavour();
    },
    addModel(key, { model, name, desc }) {
      if (desc.problem) return;
      app.models.set(key, { model, name, desc });
      compare.addModel(key, key === 'default' ? `${name} (default)` : name);
    },
  };
  const env = () => {
    $('env').textContent = `${browserName()} · upconv on ${getBackend()} · ${isolationText()} · ${threadsStatus()}`;
  };
  env();
  state.isolation = { status: window.coi?.status ?? 'off', crossOriginIsolated, reason: window.coi?.reason ?? null };
  state.defaultFlavour = defaultFlavour;
  state.threadsApi = !!threadsApi();

  const generate = setupGenerate(app);
  setupByo(app);
  const compare = setupCompare(app);
  setupTrain(app);

  const def = await loadDefaultModel();
  app.addModel('default', { ...def, desc: describeInputs(def.model) });
  state.defaultTrained = def.trained;
  generate.show(def.model, def.about);
  $('foot').textContent = def.about;
  env();
  state.ready = true;
}

main().catch((e) => {
  $('env').textContent = `The playground failed to start: ${e.name}: ${e.message}`;
  console.error(e);
});
