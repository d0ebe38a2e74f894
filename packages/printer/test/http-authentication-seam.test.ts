/**
 * Issue 14 item 4 / issue 19 "one seam first": authentication is ipp-http's httpAuthentication,
 * with schemes (Basic, Bearer) and a Principal; the printer takes it as an option and puts its IPP
 * routes and its web pages behind it. Here a Basic scheme and a stand-in Bearer scheme (a fixed
 * token table; the JWT scheme has its own tests) show that the seam carries any scheme.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthRefused, basicScheme, httpAuthentication, ippRequest, IppTransportError, type AuthScheme } from '@trustnoone/ipp-http';
import { startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { a, Op, request } from './support/ipp.js';

const tokenScheme: AuthScheme = {
  name: 'Bearer',
  challenge: (realm, refusal) => `Bearer realm="${realm}"${refusal?.error ? `, error="${refusal.error}"` : ''}`,
  async authenticate(token) {
    if (token === 'tok-bob') return { name: 'bob', scheme: 'Bearer', scopes: ['print'] };
    throw new AuthRefused('token not known', { error: 'invalid_token' });
  },
};

let printer: RunningPrinter;
beforeAll(async () => {
  printer = await startPrinter({
    stateDir: mkdtempSync(join(tmpdir(), 'tno-auth-seam-')),
    port: 0,
    logger: false,
    authentication: httpAuthentication({
      realm: 'test printer',
      allowAnonymous: false,
      credentialsAllowed: () => true, // loopback only in this test
      schemes: [basicScheme({ verify: async (u, p) => (u === 'alice' && p === 'alice-pw' ? { name: 'alice', scheme: 'Basic', scopes: [] } : undefined) }), tokenScheme],
    }),
  });
});
afterAll(async () => {
  await printer?.close();
});

async function status(auth?: Parameters<typeof ippRequest>[2] extends infer O ? O extends { auth?: infer A } ? A : never : never): Promise<number | string> {
  try {
    const r = await ippRequest(printer.uri, request(Op.GetPrinterAttributes, [a.kw('requested-attributes', 'printer-name')]), auth ? { auth } : {});
    r.data.resume();
    return r.message.code;
  } catch (err) {
    return err instanceof IppTransportError ? `HTTP ${err.httpStatus}` : String(err);
  }
}

describe('issue 14 item 4: one authentication seam with schemes and a principal', () => {
  it('without credentials: 401 with one challenge per scheme (Basic and Bearer)', async () => {
    const res = await fetch(printer.uri.replace(/^ipp:/, 'http:'), { method: 'POST', headers: { 'content-type': 'application/ipp' }, body: new Uint8Array(0) });
    expect(res.status).toBe(401);
    const challenges = res.headers.get('www-authenticate') ?? '';
    expect(challenges).toMatch(/Basic realm="test printer"/);
    expect(challenges).toMatch(/Bearer realm="test printer"/);
  });

  it('either scheme admits its principal; wrong credentials of either are refused', async () => {
    expect(await status({ user: 'alice', password: 'alice-pw' })).toBe(0);
    expect(await status({ bearer: 'tok-bob' })).toBe(0);
    expect(await status({ user: 'alice', password: 'nope' })).toBe('HTTP 401');
    expect(await status({ bearer: 'tok-mallory' })).toBe('HTTP 401');
  });

  it('the principal names the job owner (RFC 8011 §9.3: the authenticated name, not requesting-user-name)', async () => {
    const r = await ippRequest(printer.uri, request(Op.PrintJob, [a.mime('document-format', 'text/plain')], [], 'someone-else'), { auth: { bearer: 'tok-bob' }, data: Buffer.from('hi\n') });
    r.data.resume();
    expect(r.message.code).toBe(0);
    const jobs = printer.printer.runtime.store.list();
    expect(jobs.some((j) => j.owner === 'bob'), 'a job owned by bob').toBe(true);
    expect(jobs.some((j) => j.owner === 'someone-else')).toBe(false);
  });

  it('the web pages sit behind the same seam', async () => {
    const web = printer.uri.replace(/^ipp:/, 'http:').replace(/\/ipp\/print$/, '/');
    expect((await fetch(web)).status).toBe(401);
    expect((await fetch(web, { headers: { authorization: 'Bearer tok-bob' } })).status).toBe(200);
    const wrong = await fetch(web, { headers: { authorization: 'Bearer tok-x' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });
});
