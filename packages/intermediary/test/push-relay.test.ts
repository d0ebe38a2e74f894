/**
 * The push relay end to end over real sockets: client → intermediary → fake printer (RFC 8011
 * operations, TRUSTNOONE relaying rules of docs/architecture.md and issue 5).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupTag } from '@trustnoone/ipp';
import { startIntermediary, type RunningIntermediary } from '../src/index.js';
import { attr, findAttribute, integerValue, keywords, stringValue } from '../src/attrs.js';
import { startFakePrinter, type FakePrinter } from './fixtures/fake-printer.js';
import { jobAttr, request, sealedPrintJob, send, waitFor, envelopeShaped } from './fixtures/client.js';

let printer: FakePrinter;
let inter: RunningIntermediary;
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  printer = await startFakePrinter();
  inter = await startIntermediary({
    stateDir: mkdtempSync(join(tmpdir(), 'tno-relay-')),
    upstreams: [{ uri: printer.uri }],
    port: 0,
    announce: () => {},
    handleSignals: false,
    retryInitialMs: 20,
    pollMs: 20,
    printerAttributesTtlMs: 0,
  });
});
afterAll(async () => {
  await inter?.close();
  await printer?.close();
});

async function stateOf(jobId: number): Promise<number | undefined> {
  const a = await send(inter.uri, request(0x0009, inter.uri, [attr.integer('job-id', jobId), attr.name('requesting-user-name', 'alice')]));
  return integerValue(jobAttr(a, 'job-state'));
}

describe('RFC 8011 §4.2.1 Print-Job through the intermediary', () => {
  it('acknowledges a sealed job after spooling it, delivers it upstream exactly once, and mirrors completion', async () => {
    const doc = envelopeShaped(' opaque sealed bytes');
    const before = printer.deliveries.length;
    const a = await send(inter.uri, sealedPrintJob(inter.uri), doc);
    expect(a.status, a.statusMessage).toBe(0);
    expect(a.jobId).toBeGreaterThan(0);
    expect(stringValue(jobAttr(a, 'job-uri'))).toBe(`${inter.uri}/${a.jobId}`);
    await waitFor(async () => (await stateOf(a.jobId!)) === 9, 10_000, 'job completed');
    const mine = printer.deliveries.slice(before);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.sha256).toBe(sha(doc));
    // The relay keeps the client's sealed declaration and names the printer's URI, not its own.
    const ops = mine[0]!.attributes;
    expect(ops.find((x) => x.name === 'printer-uri')?.values[0]).toEqual({ tag: 'uri', value: printer.uri });
    expect(ops.find((x) => x.name === 'document-format')?.values[0]).toEqual({ tag: 'mimeMediaType', value: 'application/pkcs7-mime' });
  });

  it('Create-Job + two Send-Document + Close-Job: both documents arrive in order, once each', async () => {
    const before = printer.deliveries.length;
    const c = await send(inter.uri, request(0x0005, inter.uri, [attr.name('requesting-user-name', 'alice'), attr.name('job-name', 'encrypted job')]));
    expect(c.status, c.statusMessage).toBe(0);
    const docs = [envelopeShaped('first sealed document'), envelopeShaped('second sealed document')];
    for (const [i, d] of docs.entries()) {
      const s = await send(
        inter.uri,
        request(0x0006, inter.uri, [
          attr.integer('job-id', c.jobId!),
          attr.name('requesting-user-name', 'alice'),
          attr.boolean('last-document', false),
          attr.mimeMediaType('document-format', 'application/pkcs7-mime'),
        ]),
        d,
      );
      expect(s.status, `document ${i + 1}: ${s.statusMessage}`).toBe(0);
    }
    const close = await send(inter.uri, request(0x003b, inter.uri, [attr.integer('job-id', c.jobId!), attr.name('requesting-user-name', 'alice')]));
    expect(close.status, close.statusMessage).toBe(0);
    await waitFor(async () => (await stateOf(c.jobId!)) === 9, 10_000, 'job completed');
    expect(printer.deliveries.slice(before).map((d) => d.sha256)).toEqual(docs.map(sha));
  });
});

describe('RFC 8011 §4.2.5 Get-Printer-Attributes relayed', () => {
  it('rewrites only what names the intermediary and passes everything else value for value', async () => {
    const upstream = await send(printer.uri, request(0x000b, printer.uri));
    const relayed = await send(inter.uri, request(0x000b, inter.uri));
    expect(relayed.status).toBe(0);
    const p = (m: typeof relayed, n: string) => findAttribute(m.message, GroupTag.printer, n);
    expect(p(relayed, 'printer-uri-supported')?.values).toEqual([{ tag: 'uri', value: inter.uri }]);
    expect(p(relayed, 'printer-more-info')?.values[0]).toEqual({ tag: 'uri', value: inter.uri.replace(/^ipp:/, 'http:') });
    for (const name of ['printer-pkcs7-public-key', 'printer-uuid', 'printer-info', 'x-binary']) {
      expect(p(relayed, name), name).toEqual(p(upstream, name));
    }
    // operations-supported keeps only what the intermediary answers: Pause-Printer (0x10) goes;
    // Hold-Job (0x0C), relayed since issue 13.12, stays.
    const ops = (m: typeof relayed) => p(m, 'operations-supported')!.values.map((v) => ('value' in v ? v.value : 0));
    expect(ops(upstream)).toContain(0x10);
    expect(ops(relayed)).toContain(0x0c);
    expect(ops(relayed)).toEqual(ops(upstream).filter((c) => c !== 0x10));
  });

  it('RFC 8011 §4.1.5: a request without printer-uri is client-error-bad-request', async () => {
    const m = request(0x000b, inter.uri);
    const without = { ...m, groups: [{ ...m.groups[0]!, attributes: m.groups[0]!.attributes.filter((a) => a.name !== 'printer-uri') }] };
    expect((await send(inter.uri, without)).status).toBe(0x0400);
  });
});

describe('RFC 8011 §4.2.3 Validate-Job', () => {
  it('is relayed when sealed-shaped, refused under the policy when it names a cleartext format', async () => {
    const ok = await send(inter.uri, request(0x0004, inter.uri, [attr.name('requesting-user-name', 'alice'), attr.mimeMediaType('document-format', 'application/pkcs7-mime')]));
    expect(ok.status, ok.statusMessage).toBe(0);
    expect(printer.requests).toContain(0x0004);
    const clear = await send(inter.uri, request(0x0004, inter.uri, [attr.name('requesting-user-name', 'alice'), attr.mimeMediaType('document-format', 'application/pdf')]));
    expect(clear.status).toBe(0x040a);
  });
});

describe('end-to-end policy (issue 5): cleartext submissions are refused with a reason', () => {
  it('a text/plain document gets client-error-document-format-not-supported', async () => {
    const a = await send(
      inter.uri,
      request(0x0002, inter.uri, [attr.name('requesting-user-name', 'alice'), attr.mimeMediaType('document-format', 'text/plain')]),
      Buffer.from('hello in clear'),
    );
    expect(a.status).toBe(0x040a);
    expect(a.statusMessage).toMatch(/application\/pkcs7-mime/);
    expect(a.statusMessage).toMatch(/end-to-end/);
  });

  it('a cleartext Job Template attribute gets client-error-attributes-or-values-not-supported, listed as unsupported', async () => {
    const m = sealedPrintJob(inter.uri);
    const withCopies = { ...m, groups: [...m.groups, { tag: GroupTag.job, attributes: [attr.integer('copies', 2)] }] };
    const a = await send(inter.uri, withCopies, Buffer.from('x'));
    expect(a.status).toBe(0x040b);
    expect(a.statusMessage).toMatch(/copies/);
    expect(findAttribute(a.message, GroupTag.unsupported, 'copies')).toBeDefined();
  });
});

describe('TRUSTNOONE Get-Encrypted-Job-Attributes (0x006A) relayed unread', () => {
  it('maps the job to the upstream job and returns the sealed answer byte for byte', async () => {
    const a = await send(inter.uri, sealedPrintJob(inter.uri), envelopeShaped('sealed'));
    await waitFor(async () => (await stateOf(a.jobId!)) === 9, 10_000, 'job completed');
    const upstreamId = printer.deliveries.at(-1)!.jobId;
    const g = await send(inter.uri, request(0x006a, inter.uri, [attr.integer('job-id', a.jobId!), attr.name('requesting-user-name', 'alice'), attr.keyword('requested-attributes', 'all'), attr.text('requesting-user-pkcs7-public-key', '-----BEGIN CERTIFICATE-----', 'QUxJQ0U=', '-----END CERTIFICATE-----')]));
    expect(g.status, g.statusMessage).toBe(0);
    const chunks: Buffer[] = [];
    for await (const c of g.response.data) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe(`SEALED-ANSWER-FOR-JOB-${upstreamId}`);
  });
});

describe('RFC 8011 §4.2.6 Get-Jobs and §4.3.3 Cancel-Job on the intermediary\'s own jobs', () => {
  it('lists jobs by which-jobs and refuses to cancel a finished job', async () => {
    const a = await send(inter.uri, sealedPrintJob(inter.uri), envelopeShaped('to list'));
    await waitFor(async () => (await stateOf(a.jobId!)) === 9, 10_000, 'job completed');
    const list = await send(inter.uri, request(0x000a, inter.uri, [attr.name('requesting-user-name', 'alice'), attr.keyword('which-jobs', 'completed'), attr.keyword('requested-attributes', 'job-id', 'job-state')]));
    const ids = list.message.groups.filter((g) => g.tag === GroupTag.job).map((g) => integerValue(g.attributes.find((x) => x.name === 'job-id')));
    expect(ids).toContain(a.jobId);
    const c = await send(inter.uri, request(0x0008, inter.uri, [attr.integer('job-id', a.jobId!), attr.name('requesting-user-name', 'alice')]));
    expect(c.status).toBe(0x0404);
    const other = await send(inter.uri, request(0x0009, inter.uri, [attr.integer('job-id', a.jobId!), attr.name('requesting-user-name', 'mallory')]));
    expect(other.status).toBe(0x0401);
    const missing = await send(inter.uri, request(0x0009, inter.uri, [attr.integer('job-id', 999_999), attr.name('requesting-user-name', 'alice')]));
    expect(missing.status).toBe(0x0406);
  });

  it('upstream refusal: the job ends aborted and the client sees the upstream status and message', async () => {
    printer.refuseWith = 0x040a;
    try {
      const a = await send(inter.uri, sealedPrintJob(inter.uri), envelopeShaped('refused'));
      expect(a.status).toBe(0);
      await waitFor(async () => (await stateOf(a.jobId!)) === 8, 10_000, 'job aborted');
      const g = await send(inter.uri, request(0x0009, inter.uri, [attr.integer('job-id', a.jobId!), attr.name('requesting-user-name', 'alice')]));
      expect(stringValue(jobAttr(g, 'job-state-message'))).toMatch(/refused by the fake printer/);
      expect(integerValue(jobAttr(g, 'trustnoone-upstream-status'))).toBe(0x040a);
      expect(keywords(jobAttr(g, 'job-state-reasons'))).toEqual(['aborted-by-system', 'unsupported-document-format']);
    } finally {
      printer.refuseWith = undefined;
    }
  });
});
