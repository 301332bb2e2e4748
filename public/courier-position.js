// At the door: the browser's position into the form's hidden fields (lng, lat, accuracy), so the
// identity check is reported with where it happened. Without a position the server refuses a
// delivery and says why; this script only fills in what the device knows and says so.
(function () {
  var status = document.getElementById('position');
  var lng = document.getElementById('pos-lng');
  var lat = document.getElementById('pos-lat');
  var accuracy = document.getElementById('pos-accuracy');
  if (!status || !lng || !lat || !accuracy || !('geolocation' in navigator)) return;
  var say = function (text) {
    status.textContent = text;
  };
  if (lng.value === '') say(status.getAttribute('data-waiting'));
  navigator.geolocation.watchPosition(
    function (pos) {
      lng.value = String(pos.coords.longitude);
      lat.value = String(pos.coords.latitude);
      accuracy.value = String(Math.round(pos.coords.accuracy));
      status.classList.remove('courier-position--error');
      say((status.getAttribute('data-ok') || '').replace('{metres}', accuracy.value));
    },
    function () {
      if (lng.value === '') say(status.getAttribute('data-none'));
    },
    { enableHighAccuracy: true, maximumAge: 30000, timeout: 20000 },
  );
})();
