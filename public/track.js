// A tracking link carries the code in the URL's fragment (#code=…), which the browser never sends
// to a server nor puts in a Referer header. This fills the form with it and sends it (POST), so the
// code reaches us only in the body; then the fragment is removed from the address bar.
(function () {
  var match = /[#&]code=([^&]+)/.exec(window.location.hash);
  var form = document.getElementById('track-form');
  if (!match || !form) return;
  var field = form.querySelector('input[name="code"]');
  if (!field) return;
  field.value = decodeURIComponent(match[1]);
  history.replaceState(null, '', window.location.pathname);
  form.submit();
})();
