/**
 * TRUSTNOONE printer-pkcs7-public-key (docs/spec-notes.md §1, §3): the client decides whether to trust the
 * printer's certificate from this attribute, so the relay must hand it on exactly as the printer
 * encoded it. Checked on the wire: the attribute's encoded bytes in the printer's raw response
 * appear unchanged in the intermediary's raw response.
 */
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, GroupTag, type IppAttribute } from '@trustnoone/ipp';
import { certificateToPem, createIdentity, pemLines } from '@trustnoone/smime';
import { startIntermediary, type RunningIntermediary } from '../src/index.js';
import { findAttribute } from '../src/attrs.js';
import { startFakePrinter, type FakePrinter } from './fixtures/fake-printer.js';
import { request } from './fixtures/client.js';

let printer: FakePrinter;
let inter: RunningIntermediary;
let lines: string[];

beforeAll(async () => {
  lines = pemLines(certificateToPem(createIdentity({ commonName: 'Pass-through Printer é', printerUuid: '7a0b0c9e-1111-4222-8333-444455556666' }).certificate));
  printer = await startFakePrinter(0, lines);
  inter = await startIntermediary({ stateDir: mkdtempSync(join(tmpdir(), 'tno-key-')), upstreams: [{ uri: printer.uri }], port: 0, announce: () => {}, handleSignals: false });
});
afterAll(async () => {
  await inter?.close();
  await printer?.close();
});

function rawPost(uri: string, body: Uint8Array, host?: string): Promise<Buffer> {
  const url = new URL(uri.replace(/^ipp:/, 'http:'));
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/ipp', 'content-length': body.length, ...(host ? { host } : {}) };
    const req = http.request(url, { method: 'POST', headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve(Buffer.concat(parts)));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The wire bytes of one attribute: encode it alone and cut away header, group tag and end tag. */
function attributeBytes(a: IppAttribute): Buffer {
  const whole = encodeMessage({ version: { major: 2, minor: 0 }, code: 0, requestId: 1, groups: [{ tag: GroupTag.printer, attributes: [a] }] });
  return Buffer.from(whole.subarray(9, whole.length - 1));
}

describe('printer-pkcs7-public-key reaches the client byte for byte', () => {
  it('the encoded attribute from the printer appears unchanged in the relayed response', async () => {
    const ask = (uri: string) => encodeMessage(request(0x000b, uri));
    const fromPrinter = await rawPost(printer.uri, ask(printer.uri));
    const fromRelay = await rawPost(inter.uri, ask(inter.uri));
    const upstreamAttr = findAttribute(decodeMessage(fromPrinter), GroupTag.printer, 'printer-pkcs7-public-key')!;
    expect(upstreamAttr.values.map((v) => ('value' in v ? v.value : undefined))).toEqual(lines);
    const wire = attributeBytes(upstreamAttr);
    expect(fromPrinter.includes(wire)).toBe(true); // the slice really is what the printer sent
    expect(fromRelay.includes(wire)).toBe(true);
    // And the relay did rewrite what names itself, in the same response.
    const relayed = decodeMessage(fromRelay);
    expect(findAttribute(relayed, GroupTag.printer, 'printer-uri-supported')?.values[0]).toMatchObject({ value: inter.uri });
  });

  it('answers repeat requests from a short-lived cache (default TTL 5 s), one upstream request', async () => {
    const count = () => printer.requests.filter((c) => c === 0x000b).length;
    const before = count();
    for (let i = 0; i < 3; i++) await rawPost(inter.uri, encodeMessage(request(0x000b, inter.uri)));
    expect(count() - before).toBeLessThanOrEqual(1);
  });

  it('a malformed Host header does not end up in printer-uri-supported (RFC 7230 §5.4)', async () => {
    const answer = decodeMessage(await rawPost(inter.uri, encodeMessage(request(0x000b, inter.uri)), 'evil.example/"><script>'));
    expect(findAttribute(answer, GroupTag.printer, 'printer-uri-supported')?.values[0]).toMatchObject({ value: inter.uri });
    const named = decodeMessage(await rawPost(inter.uri, encodeMessage(request(0x000b, inter.uri)), 'printer.example:631'));
    expect(findAttribute(named, GroupTag.printer, 'printer-uri-supported')?.values[0]).toMatchObject({ value: 'ipp://printer.example:631/ipp/print' });
  });
});
