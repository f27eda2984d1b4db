/**
 * Whether a request writes from another site. Cookie-authenticated writes are accepted
 * only from our own pages: SameSite=Lax keeps the cookie off other sites' POSTs already;
 * this also stops same-site siblings and old browsers. The origin is `publicUrl`'s when
 * it is configured, else the request's own host.
 *
 * @example
 * foreignWrite({ method: 'POST', origin: 'https://evil.example', host: 'lib.example' }, undefined); // true
 */
export function foreignWrite(
  request: {
    readonly method: string;
    readonly origin: string | undefined;
    readonly host: string | undefined;
    readonly fetchSite?: string | undefined;
  },
  publicUrl: string | undefined,
): boolean {
  if (/^(GET|HEAD|OPTIONS)$/.test(request.method)) return false;
  const { origin, fetchSite } = request;
  if (origin === undefined) {
    return fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none';
  }
  if (publicUrl) return origin !== new URL(publicUrl).origin;
  return !(URL.canParse(origin) && new URL(origin).host === request.host);
}
