/**
 * A map that keeps at most `max` entries and drops the one used least recently: for the
 * per-process caches of the hot paths, which must stay bounded however many keys they meet.
 */
export function createLru<K, V>(max: number) {
  const map = new Map<K, V>();
  return {
    get(key: K): V | undefined {
      const value = map.get(key);
      if (value !== undefined) {
        // Re-inserted to keep the map in least-recently-used order.
        map.delete(key);
        map.set(key, value);
      }
      return value;
    },
    set(key: K, value: V): void {
      map.delete(key);
      map.set(key, value);
      if (map.size > max) map.delete(map.keys().next().value as K);
    },
    delete(key: K): void {
      map.delete(key);
    },
    get size() {
      return map.size;
    },
  };
}
