/**
 * Issue 13.8: a sealed submission (document-format application/pkcs7-mime) carrying a Job Template
 * attribute in clear (copies) is refused at submission — also by an intermediary that takes
 * cleartext jobs for a mixed fleet (`tno intermediary --allow-cleartext`), which used to spool it
 * for the printer to abort later. Checked with ipptool as the client and with our own requests,
 * against `tno intermediary` as a child process; cleartext jobs with copies stay accepted there.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupTag } from '@trustnoone/ipp';
import { attr, findAttribute } from '../src/attrs.js';
import { startTnoIntermediary, type TnoIntermediary } from '../../../testing/tno-intermediary.js';
import { startFakePrinter, type FakePrinter } from './fixtures/fake-printer.js';
import { envelopeShaped, request, sealedPrintJob, send } from './fixtures/client.js';

let printer: FakePrinter;
let mixed: TnoIntermediary;
let shipped: TnoIntermediary;
const dir = mkdtempSync(join(tmpdir(), 'tno-sealed-template-'));

/** An ipptool test: a sealed Print-Job with copies=2 in the job group must be refused, naming no job. */
const IPPTOOL_TEST = `{
  NAME "sealed Print-Job with copies in clear"
  OPERATION Print-Job
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR name requesting-user-name alice
  ATTR mimeMediaType document-format application/pkcs7-mime
  GROUP job-attributes-tag
  ATTR integer copies 2
  FILE $filename
  STATUS client-error-attributes-or-values-not-supported
  EXPECT !job-id
}
`;

function ipptool(uri: string, file: string): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn('ipptool', ['-tv', '-T', '20', '-f', file, uri, join(dir, 'sealed-copies.test')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    p.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    p.on('close', (status) => resolve({ status, out }));
  });
}

beforeAll(async () => {
  writeFileSync(join(dir, 'sealed-copies.test'), IPPTOOL_TEST);
  writeFileSync(join(dir, 'sealed.p7m'), envelopeShaped(4096));
  printer = await startFakePrinter();
  mixed = await startTnoIntermediary(printer.uri, ['--allow-cleartext']);
  shipped = await startTnoIntermediary(printer.uri);
}, 60_000);

afterAll(async () => {
  await mixed?.stop();
  await shipped?.stop();
  await printer?.close();
});

const withCopies = (uri: string) => {
  const m = sealedPrintJob(uri);
  return { ...m, groups: [...m.groups, { tag: GroupTag.job, attributes: [attr.integer('copies', 2)] }] };
};

describe('issue 13.8: a sealed Print-Job with Job Template attributes in clear is refused at submission', () => {
  for (const [name, relay] of [
    ['tno intermediary --allow-cleartext', () => mixed],
    ['tno intermediary', () => shipped],
  ] as const) {
    it(`${name}: ipptool's sealed Print-Job with copies=2 gets attributes-or-values-not-supported and no job`, async () => {
      const r = await ipptool(relay().uri, join(dir, 'sealed.p7m'));
      expect(r.status, r.out).toBe(0);
    });

    it(`${name}: copies in the job group or as an operation attribute is refused, listed as unsupported; nothing reaches the printer`, async () => {
      const before = printer.jobs().length;
      const uri = relay().uri;
      const a = await send(uri, withCopies(uri), envelopeShaped('sealed with clear copies'));
      expect([a.status, a.jobId]).toEqual([0x040b, undefined]);
      expect(findAttribute(a.message, GroupTag.unsupported, 'copies')).toBeDefined();
      const m = sealedPrintJob(uri);
      const op = { ...m, groups: [{ ...m.groups[0]!, attributes: [...m.groups[0]!.attributes, attr.integer('copies', 2)] }] };
      expect((await send(uri, op, envelopeShaped('sealed, copies as operation attribute'))).status).toBe(0x040b);
      await new Promise((r) => setTimeout(r, 300));
      expect(printer.jobs().length).toBe(before);
    });
  }

  it('--allow-cleartext: a sealed Send-Document into a job created with copies in clear is refused; the cleartext job itself is still taken', async () => {
    const uri = mixed.uri;
    const created = await send(uri, request(0x0005, uri, [attr.name('requesting-user-name', 'alice'), attr.name('job-name', 'mixed')], [{ tag: GroupTag.job, attributes: [attr.integer('copies', 2)] }]));
    expect(created.status, created.statusMessage).toBe(0);
    const doc = await send(
      uri,
      request(0x0006, uri, [attr.integer('job-id', created.jobId!), attr.name('requesting-user-name', 'alice'), attr.boolean('last-document', true), attr.mimeMediaType('document-format', 'application/pkcs7-mime')]),
      envelopeShaped('sealed into a cleartext job'),
    );
    expect(doc.status, doc.statusMessage).toBe(0x040b);
    expect(findAttribute(doc.message, GroupTag.unsupported, 'copies')).toBeDefined();
    const clear = await send(
      uri,
      request(0x0002, uri, [attr.name('requesting-user-name', 'alice'), attr.mimeMediaType('document-format', 'text/plain')], [{ tag: GroupTag.job, attributes: [attr.integer('copies', 2)] }]),
      Buffer.from('a cleartext job for a mixed fleet'),
    );
    expect(clear.status, clear.statusMessage).toBe(0);
  });
});
