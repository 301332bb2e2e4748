import { createServer, type IncomingHttpHeaders } from 'node:http';

/** An address the stand-in knows, and how precisely (a house, or only its street). */
export interface StandInPlace {
  street: string;
  houseNumber: string;
  postalCode: string;
  city: string;
  location: [number, number];
  precision?: 'house' | 'street' | 'city';
  countryCode?: string;
}

const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

/**
 * A local geocoder speaking both wire formats the platform uses: Nominatim's structured
 * `/search?format=jsonv2&street=…&postalcode=…&city=…` (a JSON array) and Photon's
 * `/api?q=…` (a GeoJSON FeatureCollection). It can answer an error status or stall.
 */
export async function startGeocoderStandIn(places: StandInPlace[] = []) {
  const known = [...places];
  const requests: Array<{ path: string; query: URLSearchParams; headers: IncomingHttpHeaders }> = [];
  let answer = 200;
  let stallMs = 0;

  const nominatim = (q: URLSearchParams) => {
    const place = known.find(
      (p) =>
        norm(`${p.houseNumber} ${p.street}`) === norm(q.get('street') ?? '') &&
        p.postalCode === q.get('postalcode') &&
        (q.get('countrycodes') ?? 'de').split(',').includes((p.countryCode ?? 'DE').toLowerCase()),
    );
    if (!place) return [];
    const rank = { house: 30, street: 26, city: 16 }[place.precision ?? 'house'];
    return [
      {
        place_id: 1,
        licence: 'Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright',
        lat: String(place.location[1]),
        lon: String(place.location[0]),
        category: place.precision === 'city' ? 'boundary' : 'building',
        type: place.precision === 'city' ? 'administrative' : 'house',
        place_rank: rank,
        importance: 0.5,
        addresstype: { house: 'building', street: 'road', city: 'city' }[place.precision ?? 'house'],
        name: '',
        display_name: `${place.houseNumber}, ${place.street}, ${place.city}, Baden-Württemberg, ${place.postalCode}, Deutschland`,
        boundingbox: [],
      },
    ];
  };

  const photon = (q: URLSearchParams) => {
    const text = norm(q.get('q') ?? '');
    const place = known.find((p) => text === norm(`${p.street} ${p.houseNumber}, ${p.postalCode} ${p.city}`));
    const features = place
      ? [
          {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: place.location },
            properties: {
              osm_type: 'N',
              osm_id: 1,
              countrycode: place.countryCode ?? 'DE',
              type: { house: 'house', street: 'street', city: 'city' }[place.precision ?? 'house'],
              ...(place.precision === 'city'
                ? { name: place.city }
                : {
                    street: place.street,
                    ...(place.precision === 'street' ? { name: place.street } : { housenumber: place.houseNumber }),
                  }),
              postcode: place.postalCode,
              city: place.city,
              country: 'Deutschland',
            },
          },
        ]
      : [];
    return { type: 'FeatureCollection', features };
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    requests.push({ path: url.pathname, query: url.searchParams, headers: req.headers });
    setTimeout(() => {
      if (res.destroyed) return;
      if (answer !== 200) return res.writeHead(answer, { 'content-type': 'text/plain' }).end('unavailable');
      if (url.pathname === '/search' && url.searchParams.get('format') === 'jsonv2') {
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(nominatim(url.searchParams)));
      }
      if (url.pathname === '/api') {
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(photon(url.searchParams)));
      }
      res.writeHead(404).end();
    }, stallMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    requests,
    add(place: StandInPlace) {
      known.push(place);
    },
    set(opts: { status?: number; stallMs?: number }) {
      answer = opts.status ?? 200;
      stallMs = opts.stallMs ?? 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
