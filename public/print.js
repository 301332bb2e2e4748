// A print button for the receipt: shown only where a script can press it (the browser's own print works anyway).
(function () {
  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      window.print();
    });
  });
})();
