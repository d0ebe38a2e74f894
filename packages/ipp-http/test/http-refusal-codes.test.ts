/**
 * HTTP refusals of an IPP request each get their own transport error code (issue 15 follow-up):
 * 401, 403, 415, 429 and 503 (RFC 9110 §15.5.2, §15.5.4, §15.5.16, §15.6.4; RFC 6585 §4), with
 * Retry-After read as delay-seconds or an HTTP-date (RFC 9110 §10.2.3) and bounded; any other
 * status stays IPP_HTTP_STATUS. A plain node:http server stands for any server that refuses.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IppMessage } from '@trustnoone/ipp';
import { IppTransportError, ippRequest } from '@trustnoone/ipp-http';

let server: http.Server;
let base: string;

beforeAll(async () => {
  // /STATUS/RETRY-AFTER answers that status with that Retry-After ('-' for none).
  server = http.createServer((req, res) => {
    const [, status, retry] = (req.url ?? '').split('/');
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'text/plain' };
    if (retry && retry !== '-') headers['retry-after'] = decodeURIComponent(retry);
    req.resume();
    req.on('end', () => res.writeHead(Number(status), headers).end('refused'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `ipp://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

const GET_PRINTER_ATTRIBUTES: IppMessage = {
  version: { major: 2, minor: 0 },
  code: 0x000b,
  requestId: 1,
  groups: [
    {
      tag: 0x01,
      attributes: [
        { name: 'attributes-charset', values: [{ tag: 'charset', value: 'utf-8' }] },
        { name: 'attributes-natural-language', values: [{ tag: 'naturalLanguage', value: 'en' }] },
      ],
    },
  ],
};

async function refusal(status: number, retryAfter = '-'): Promise<IppTransportError> {
  const err = await ippRequest(`${base}/${status}/${encodeURIComponent(retryAfter)}`, GET_PRINTER_ATTRIBUTES).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IppTransportError);
  return err as IppTransportError;
}

describe('HTTP refusals as typed transport errors', () => {
  it.each([
    [401, 'IPP_HTTP_AUTH_REQUIRED'],
    [403, 'IPP_HTTP_FORBIDDEN'],
    [415, 'IPP_HTTP_UNSUPPORTED_MEDIA_TYPE'],
    [429, 'IPP_HTTP_TOO_MANY_REQUESTS'],
    [503, 'IPP_HTTP_SERVICE_UNAVAILABLE'],
    [404, 'IPP_HTTP_STATUS'],
    [500, 'IPP_HTTP_STATUS'],
  ])('HTTP %i is %s', async (status, code) => {
    const err = await refusal(status);
    expect(err.code).toBe(code);
    expect(err.httpStatus).toBe(status);
    expect(err.message).toContain(String(status));
  });

  it('Retry-After of a 429 or 503 as seconds or an HTTP-date; absurd or malformed values are dropped', async () => {
    expect((await refusal(429, '7')).retryAfterSeconds).toBe(7);
    expect((await refusal(503, '120')).message).toContain('retry after 120 s');
    const date = new Date(Date.now() + 30_000).toUTCString();
    const fromDate = (await refusal(503, date)).retryAfterSeconds!;
    expect(fromDate).toBeGreaterThanOrEqual(28);
    expect(fromDate).toBeLessThanOrEqual(31);
    expect((await refusal(503, new Date(Date.now() - 60_000).toUTCString())).retryAfterSeconds).toBe(0);
    expect((await refusal(503, '999999999')).retryAfterSeconds).toBeUndefined();
    expect((await refusal(429, 'soon')).retryAfterSeconds).toBeUndefined();
    expect((await refusal(403, '5')).retryAfterSeconds, 'only 429 and 503 carry a wait').toBeUndefined();
  });
});
