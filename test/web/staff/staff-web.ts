import { randomBytes } from 'node:crypto';
import type { StaffRole } from '../../../src/auth/auth.table.ts';
import type { TestPlatform } from '../../helpers/test-platform.ts';

/** A staff account with a password, for signing in on the pages (p.staff signs in through the service). */
export async function staffAccount(p: TestPlatform, roles: StaffRole[], officeId: string | null) {
  const username = `w-${randomBytes(5).toString('hex')}`;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const user = await p.auth.createStaffUser({ username, displayName: `Test ${roles.join('+')}`, password, roles, officeId, actorId: null });
  return { user, username, password };
}

/** A fetch-based browser stand-in: keeps cookies, follows no redirects, finds the CSRF token in a page. */
export function webClient(p: TestPlatform) {
  const jar = new Map<string, string>();
  type Form = Record<string, string> | URLSearchParams;
  const request = async (method: string, path: string, form?: Form, accept = 'text/html') => {
    const res = await fetch(`${p.address}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        accept,
        ...(jar.size > 0 ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      // URLSearchParams for a form with a repeated field (the handover's scanned documents).
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, ...rest] = (pair ?? '').split('=');
      if (!name) continue;
      const value = rest.join('=');
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(c)) jar.delete(name.trim());
      else jar.set(name.trim(), value);
    }
    return res;
  };
  return {
    jar,
    get: (path: string, opts: { accept?: string } = {}) => request('GET', path, undefined, opts.accept),
    post: (path: string, form: Form, opts: { accept?: string } = {}) => request('POST', path, form, opts.accept),
    csrfOf: (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '',
    async signIn(account: { username: string; password: string }) {
      const page = await (await request('GET', '/amt/anmelden')).text();
      return request('POST', '/amt/anmelden', {
        _csrf: /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '',
        username: account.username,
        password: account.password,
      });
    },
  };
}
