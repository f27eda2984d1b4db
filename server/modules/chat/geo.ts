/** Distances on the Earth's surface, for "the nearest branch". */

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (degrees: number) => (degrees * Math.PI) / 180;

/**
 * The great-circle distance in metres between two points given in degrees (haversine).
 *
 * @example
 * Math.round(haversineMetres({ latitude: 30.2741, longitude: 120.1251 }, { latitude: 30.2792, longitude: 120.1198 })); // → 762
 */
export function haversineMetres(
  a: { readonly latitude: number; readonly longitude: number },
  b: { readonly latitude: number; readonly longitude: number },
): number {
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The place nearest to `from` among those with coordinates, with its distance; null when
 * none has coordinates or `from` is not a point.
 */
export function nearest<
  T extends { readonly latitude: number | null; readonly longitude: number | null },
>(
  from: { readonly latitude: number; readonly longitude: number },
  places: readonly T[],
): { place: T; metres: number } | null {
  if (!Number.isFinite(from.latitude) || !Number.isFinite(from.longitude)) return null;
  let best: { place: T; metres: number } | null = null;
  for (const place of places) {
    if (place.latitude === null || place.longitude === null) continue;
    const metres = haversineMetres(from, { latitude: place.latitude, longitude: place.longitude });
    if (!best || metres < best.metres) best = { place, metres };
  }
  return best;
}
