/**
 * The citizen's tracking link, in one place so the web pages (issue 10, `/sendung/…`) can change
 * it. The token goes in the fragment: browsers never send a fragment to the server or in a
 * Referer header, so it cannot reach an access log. Without the token (the confirmation mail
 * came too late to have it, see notification-content.ts) the link opens the page where the
 * citizen enters their tracking code.
 */
export function trackingLink(publicBaseUrl: string, trackingToken: string | null): string {
  const page = `${publicBaseUrl}/sendung`;
  return trackingToken ? `${page}#code=${encodeURIComponent(trackingToken)}` : page;
}
