// The planning console's map (Leaflet, GeoJSON layers only): the office's zones, the office, each
// route as a line in its own colour with its stops numbered, and the bookings left unassigned. The
// route and unassigned tables below the map say the same in text; the map only shows where.
(function () {
  var box = document.getElementById('map-box');
  var el = document.getElementById('plan-map');
  var L = window.L;
  if (!box || !el || !L || !window.fetch) return;
  var d = el.dataset;
  // Colours that keep 3:1 against the map's light background (the text says the same anyway).
  var COLOURS = ['#1b4f9c', '#b3261e', '#2e7d32', '#6a1b9a', '#c25e00', '#00695c', '#4e342e', '#37474f'];

  fetch(d.geojson, { headers: { accept: 'application/geo+json' }, credentials: 'same-origin' })
    .then(function (r) {
      if (!r.ok) throw new Error('plan ' + r.status);
      return r.json();
    })
    .then(function (collection) {
      // A zone shown before it is saved (the admin's preview) comes with the page, not from the server.
      var source = d.preview && document.getElementById(d.preview);
      if (source) collection.features = collection.features.concat(JSON.parse(source.value).features);
      draw(collection);
    })
    .catch(function () {
      box.hidden = true;
    });

  // Tooltips as text nodes: names come from people (zones) and must never become markup.
  function text(s) {
    var span = document.createElement('span');
    span.textContent = String(s);
    return span;
  }

  function colourOf(sequence) {
    return COLOURS[(Math.max(1, sequence) - 1) % COLOURS.length];
  }

  function draw(collection) {
    box.hidden = false;
    var map = L.map(el, { keyboard: true, zoomSnap: 0.5 });
    if (d.tileUrl) L.tileLayer(d.tileUrl, { attribution: d.tileAttribution || '', maxZoom: 19 }).addTo(map);
    var all = L.geoJSON(collection, {
      style: function (f) {
        var k = f.properties && f.properties.kind;
        if (k === 'zone') return { color: '#1b4f9c', weight: 1, fillColor: '#1b4f9c', fillOpacity: 0.05 };
        if (k === 'route') return { color: colourOf(f.properties.routeSequence), weight: 4, opacity: 0.85 };
        if (k === 'preview') return { color: '#b3261e', weight: 3, dashArray: '6 4', fillColor: '#b3261e', fillOpacity: 0.08 };
        return {};
      },
      pointToLayer: function (f, latlng) {
        var k = f.properties && f.properties.kind;
        if (k === 'depot') return L.circleMarker(latlng, { radius: 8, color: '#fff', weight: 2, fillColor: '#000', fillOpacity: 1 });
        if (k === 'unassigned')
          return L.circleMarker(latlng, { radius: 6, color: '#b3261e', weight: 2, dashArray: '2 2', fillColor: '#fff', fillOpacity: 1 });
        return L.circleMarker(latlng, {
          radius: 6,
          color: '#fff',
          weight: 1,
          fillColor: colourOf(f.properties.routeSequence),
          fillOpacity: 1,
        });
      },
      onEachFeature: function (f, layer) {
        var p = f.properties || {};
        if (p.kind === 'stop')
          layer.bindTooltip(text(d.routeLabel.replace('{n}', p.routeSequence) + ' · ' + p.stopSequence + ' · ' + p.applicationNumber));
        if (p.kind === 'unassigned') layer.bindTooltip(text(p.applicationNumber));
        if (p.kind === 'route') layer.bindTooltip(text(d.routeLabel.replace('{n}', p.routeSequence)));
        if ((p.kind === 'zone' || p.kind === 'preview') && p.name) layer.bindTooltip(text(p.name), { sticky: true });
      },
    });
    // The view is the plan (office, routes, stops) when there is one; the zones only without it.
    var planOnly = L.geoJSON(collection, {
      filter: function (f) {
        return f.properties && f.properties.kind !== 'zone';
      },
    });
    var bounds = planOnly.getLayers().length > 1 ? planOnly.getBounds() : all.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
    else map.setView([51.16, 10.45], 6);
    all.addTo(map);
  }
})();
