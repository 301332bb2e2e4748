// The handover's scan without a page load: the scan form is sent as it would be, and from the page
// the server answers with, the difference (expected, scanned, missing, not on the route) and the
// scanned documents carried in both forms are taken over; the field is cleared for the next scan.
// The server's own comparison stays the only one; without a script each scan loads the page.
(function () {
  var form = document.getElementById('scan-form');
  var code = document.getElementById('code');
  if (!form || !code || !window.fetch || !window.DOMParser) return;
  var busy = false;
  var waiting = false;
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    // A scan while the last one is on its way: sent as soon as that one is back, never lost.
    if (busy) {
      waiting = true;
      return;
    }
    busy = true;
    var sent = code.value;
    fetch(form.action, {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
      credentials: 'same-origin',
      headers: { accept: 'text/html' },
    })
      .then(function (r) {
        return r.text().then(function (html) {
          return { ok: r.ok, html: html };
        });
      })
      .then(function (answer) {
        var next = new DOMParser().parseFromString(answer.html, 'text/html');
        // Anything but the scan page (an error, a lost session): show it as the browser would.
        if (!answer.ok || !next.getElementById('diff') || !next.getElementById('scan-form')) {
          form.submit();
          return;
        }
        ['scan-form', 'start-form'].forEach(function (id) {
          var here = document.getElementById(id);
          var there = next.getElementById(id);
          if (!here || !there) return;
          here.querySelectorAll('input[name="scanned"]').forEach(function (el) {
            el.remove();
          });
          // In the server's order, after the form's CSRF field.
          var csrfField = here.querySelector('input[name="_csrf"]');
          var ref = csrfField ? csrfField.nextSibling : here.firstChild;
          there.querySelectorAll('input[name="scanned"]').forEach(function (el) {
            here.insertBefore(document.importNode(el, true), ref);
          });
        });
        var csrf = next.querySelector('#scan-form input[name="_csrf"]');
        document.querySelectorAll('input[name="_csrf"]').forEach(function (el) {
          if (csrf) el.value = csrf.value;
        });
        document.getElementById('diff').innerHTML = next.getElementById('diff').innerHTML;
        // Only the code that was sent is cleared; one typed meanwhile stays for its own scan.
        if (code.value === sent) code.value = '';
        code.focus();
      })
      .catch(function () {
        form.submit();
      })
      .finally(function () {
        busy = false;
        if (waiting && code.value !== '') {
          waiting = false;
          form.requestSubmit();
        }
        waiting = false;
      });
  });
})();
