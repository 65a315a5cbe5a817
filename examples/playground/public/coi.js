// Cross-origin isolation where the host cannot send COOP/COEP headers (GitHub Pages-style hosts):
// registers coi-sw.js, a service worker that adds the headers to this site's own responses, and
// reloads once so the page itself comes through it. Runs before the app (a classic script).
// window.coi tells the app how it went: { status: 'headers' | 'service-worker' | 'reloading' |
// 'off', reason }. `?coi=0` turns the fallback off (one thread, with the reason shown).
(function () {
  var KEY = 'upconv-playground-coi-reloaded';
  var state = (window.coi = { status: 'off', reason: null });
  if (window.crossOriginIsolated) {
    state.status = navigator.serviceWorker && navigator.serviceWorker.controller ? 'service-worker' : 'headers';
    sessionStorage.removeItem(KEY);
    return;
  }
  if (/[?&]coi=0(&|$)/.test(location.search)) {
    state.reason = 'not cross-origin isolated: the server sends no COOP/COEP headers and the service-worker fallback is off (?coi=0)';
    return;
  }
  if (!window.isSecureContext || !('serviceWorker' in navigator)) {
    state.reason = 'not cross-origin isolated: no COOP/COEP headers, and service workers need a secure context (https or localhost)';
    return;
  }
  if (sessionStorage.getItem(KEY)) {
    sessionStorage.removeItem(KEY);
    state.reason = 'not cross-origin isolated: no COOP/COEP headers, and the service worker did not make the page isolated';
    return;
  }
  state.status = 'reloading';
  var reload = function () {
    sessionStorage.setItem(KEY, '1');
    location.reload();
  };
  navigator.serviceWorker.register(new URL('./coi-sw.js', document.baseURI)).then(function (reg) {
    if (navigator.serviceWorker.controller) return reload(); // controlled, yet this response had no headers: reload through it
    var sw = reg.installing || reg.waiting || reg.active;
    if (sw && sw.state === 'activated') return reload();
    navigator.serviceWorker.addEventListener('controllerchange', reload, { once: true });
  }, function (e) {
    state.status = 'off';
    state.reason = 'not cross-origin isolated: no COOP/COEP headers, and the service worker failed to register (' + e.message + ')';
    window.dispatchEvent(new Event('coi-failed'));
  });
})();
