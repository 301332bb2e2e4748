// The booking page's map (Leaflet, GeoJSON layers only): the office's zones and the office, and a
// pin the citizen sets with a click or the keyboard. The pin writes the hidden lng/lat inputs,
// which the server prices at when they lie inside a zone. The zone list stays the text alternative.
(function () {
  var box = document.getElementById('map-box');
  var el = document.getElementById('map');
  var lngInput = document.getElementById('lng');
  var latInput = document.getElementById('lat');
  var status = document.getElementById('map-status');
  var clear = document.getElementById('map-clear');
  var L = window.L;
  if (!box || !el || !lngInput || !latInput || !L || !window.fetch) return;
  var d = el.dataset;
  var pin = null;

  fetch(d.geojson, { headers: { accept: 'application/geo+json' }, credentials: 'same-origin' })
    .then(function (r) {
      if (!r.ok) throw new Error('zones ' + r.status);
      return r.json();
    })
    .then(draw)
    .catch(function () {
      // Without the zones there is no map worth showing; the zone list remains.
      box.hidden = true;
    });

  function draw(collection) {
    box.hidden = false;
    var map = L.map(el, { keyboard: true, zoomSnap: 0.5 });
    if (d.tileUrl) L.tileLayer(d.tileUrl, { attribution: d.tileAttribution || '', maxZoom: 19 }).addTo(map);
    var zones = L.geoJSON(collection, {
      filter: function (f) {
        return f.properties && f.properties.kind === 'zone';
      },
      style: { color: '#1b4f9c', weight: 2, fillColor: '#1b4f9c', fillOpacity: 0.08 },
      interactive: false,
    });
    // The view first: Leaflet cannot draw a vector layer on a map that has none yet.
    var bounds = zones.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
    else map.setView([51.16, 10.45], 6);
    zones.addTo(map);
    collection.features.forEach(function (f) {
      if (!f.properties || f.properties.kind !== 'office') return;
      var c = f.geometry.coordinates;
      L.circleMarker([c[1], c[0]], { radius: 7, color: '#fff', weight: 2, fillColor: '#b3261e', fillOpacity: 1, interactive: false })
        .bindTooltip(f.properties.name, { permanent: true, direction: 'top', offset: [0, -8] })
        .addTo(map);
    });
    var lat0 = parseFloat(latInput.value);
    var lng0 = parseFloat(lngInput.value);
    if (isFinite(lat0) && isFinite(lng0)) setPin(L.latLng(lat0, lng0), false);

    map.on('click', function (e) {
      setPin(e.latlng, true);
    });
    // The map itself has the focus: Enter or Space sets the pin at its centre (the arrows pan, Leaflet's own).
    el.addEventListener('keydown', function (e) {
      if (e.target !== el || (e.key !== 'Enter' && e.key !== ' ')) return;
      e.preventDefault();
      setPin(map.getCenter(), true);
    });
    clear.addEventListener('click', function () {
      if (pin) map.removeLayer(pin);
      pin = null;
      lngInput.value = '';
      latInput.value = '';
      clear.hidden = true;
      status.textContent = d.pinRemoved;
      el.focus();
    });

    function setPin(latlng, announce) {
      var lat = Math.round(latlng.lat * 1e6) / 1e6;
      var lng = Math.round(latlng.lng * 1e6) / 1e6;
      latInput.value = lat.toFixed(6);
      lngInput.value = lng.toFixed(6);
      if (!pin) {
        pin = L.marker([lat, lng], { draggable: true, keyboard: true, alt: d.pinLabel, title: d.pinLabel, autoPan: true }).addTo(map);
        pin.on('dragend', function () {
          setPin(pin.getLatLng(), true);
        });
        // The pin has the focus: the arrows move it (Shift: farther), not the map.
        pin.getElement().addEventListener('keydown', function (e) {
          var step = e.shiftKey ? 40 : 8;
          var delta = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[e.key];
          if (!delta) return;
          e.preventDefault();
          e.stopPropagation();
          var p = map.latLngToContainerPoint(pin.getLatLng()).add(L.point(delta[0], delta[1]));
          setPin(map.containerPointToLatLng(p), true);
        });
      } else {
        pin.setLatLng([lat, lng]);
      }
      clear.hidden = false;
      if (announce) status.textContent = d.pinSet.replace('{lat}', lat.toFixed(5)).replace('{lng}', lng.toFixed(5));
    }
  }
})();
