// While the payment page waits for Stripe's confirmation, ask for the booking's status every few
// seconds and reload once it has moved on. Without JavaScript the page has a link that does the same.
(function () {
  var box = document.getElementById('pay-status');
  if (!box) return;
  var url = box.getAttribute('data-status-url');
  var tries = 0;
  function check() {
    tries++;
    fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (r) {
        return r.json();
      })
      .then(function (body) {
        if (body.state && body.state !== 'waiting') window.location.reload();
        else if (tries < 200) setTimeout(check, 3000);
      })
      .catch(function () {
        if (tries < 200) setTimeout(check, 5000);
      });
  }
  setTimeout(check, 2000);
})();
