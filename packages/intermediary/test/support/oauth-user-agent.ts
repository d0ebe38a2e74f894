/**
 * The person at the browser, for the sign-in tests: a small HTTP user agent (cookies, redirects,
 * HTML forms) that walks oidc-provider's own pages — user-code entry, confirmation, sign-in and
 * consent — as a browser would, over real HTTP. It fills the fields it is given, submits each
 * page's form, and stops at a page without a form or at a redirect leaving the issuer (the
 * loopback redirect of RFC 8252, which it then requests, as the browser would).
 */
const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&#x2F;/gi, '/').replace(/&quot;/g, '"').replace(/&#39;/g, "'");

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return m ? decode(m[1]!) : undefined;
}

export interface Visit {
  /** The last page's URL and body. */
  readonly url: string;
  readonly status: number;
  readonly body: string;
  /** Every URL requested, in order. */
  readonly trail: readonly string[];
}

export async function actAsUser(start: string, fields: Record<string, string>, maxSteps = 20): Promise<Visit> {
  const origin = new URL(start).origin;
  const cookies = new Map<string, string>();
  const trail: string[] = [];
  let url = start;
  let init: RequestInit = {};
  for (let step = 0; step < maxSteps; step++) {
    trail.push(url);
    const sameOrigin = new URL(url).origin === origin;
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string> | undefined), ...(sameOrigin && cookies.size ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}) },
    });
    if (sameOrigin) for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      cookies.set(pair!.slice(0, i).trim(), pair!.slice(i + 1).trim());
    }
    init = {};
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.arrayBuffer();
      url = new URL(location, url).href;
      continue;
    }
    const body = await res.text();
    const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(body);
    if (!sameOrigin || !form) return { url, status: res.status, body, trail };
    const params = new URLSearchParams();
    for (const input of form[2]!.matchAll(/<input\b[^>]*>/gi)) {
      const name = attr(input[0], 'name');
      if (!name) continue;
      params.set(name, fields[name] ?? attr(input[0], 'value') ?? '');
    }
    url = new URL(attr(form[1]!, 'action') ?? url, url).href;
    init = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: params.toString() };
  }
  throw new Error(`the sign-in pages did not end within ${maxSteps} steps: ${trail.join(' -> ')}`);
}
