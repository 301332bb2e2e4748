// While the solver runs: asks every two seconds how far the plan is, shows it in the progress bar
// and the live region, and reloads the page once the plan is finished (its routes are then shown).
(function () {
  var box = document.getElementById('plan-progress');
  var bar = document.getElementById('progress-bar');
  var text = document.getElementById('progress-text');
  var hint = document.getElementById('progress-hint');
  if (!box || !bar || !text || !window.fetch) return;
  if (hint && hint.dataset.live) hint.textContent = hint.dataset.live;
  var failures = 0;
  function poll() {
    fetch(box.dataset.url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) throw new Error('status ' + r.status);
        return r.json();
      })
      .then(function (s) {
        failures = 0;
        if (s.status !== 'queued' && s.status !== 'running') {
          // The day's page by GET: this page may be the answer to a form, which a reload would send again.
          window.location.assign(box.dataset.page);
          return;
        }
        bar.value = s.percent;
        bar.textContent = s.percent + ' %';
        text.textContent = box.dataset.text.replace('{percent}', s.percent).replace('{unassigned}', s.unassigned);
        setTimeout(poll, 2000);
      })
      .catch(function () {
        // A restart of the server: keep asking, less often; the page still works by reloading.
        if (++failures < 30) setTimeout(poll, 5000);
      });
  }
  setTimeout(poll, 2000);
})();
