// The rider app's service worker: keeps the app's own static files for a flaky connection.
// Registered for /kurier (the start page included); pages themselves are never cached by it.
(function () {
  if (!('serviceWorker' in navigator)) return;
  window.addEventListener('load', function () {
    navigator.serviceWorker.register('/kurier/sw.js', { scope: '/kurier' }).catch(function (err) {
      console.warn('service worker not registered', err);
    });
  });
})();
