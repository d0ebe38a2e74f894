/**
 * Issue 13.9: in front of a printer without TRUSTNOONE (CUPS' ippeveprinter: no
 * printer-pkcs7-public-key, no application/pkcs7-mime) the intermediary advertises only what that
 * printer can open and refuses sealed jobs at submission instead of spooling jobs that can only
 * abort. As shipped (`tno intermediary`, sealed jobs only) it can print nothing and says so
 * (printer-is-accepting-jobs false); with --allow-cleartext it offers the printer's own formats.
 * ipptool submits the sealed job in both cases, after Get-Printer-Attributes as clients do.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupTag } from '@trustnoone/ipp';
import { attr, booleanValue, findAttribute, integerValue } from '../src/attrs.js';
import { startIppEvePrinter, type IppEvePrinter } from '../../../testing/ippeveprinter.js';
import { startTnoIntermediary, type TnoIntermediary } from '../../../testing/tno-intermediary.js';
import { envelopeShaped, jobAttr, request, sealedPrintJob, send, waitFor } from './fixtures/client.js';

let eve: IppEvePrinter;
let shipped: TnoIntermediary;
let mixed: TnoIntermediary;
const dir = mkdtempSync(join(tmpdir(), 'tno-non-tno-upstream-'));

const IPPTOOL_TEST = `{
  NAME "sealed Print-Job to a printer without TRUSTNOONE"
  OPERATION Print-Job
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR name requesting-user-name alice
  ATTR name job-name "encrypted job"
  ATTR mimeMediaType document-format application/pkcs7-mime
  FILE $filename
  STATUS client-error-document-format-not-supported
  EXPECT !job-id
}
`;

function ipptool(uri: string): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn('ipptool', ['-tv', '-T', '20', '-f', join(dir, 'sealed.p7m'), uri, join(dir, 'sealed.test')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    p.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    p.on('close', (status) => resolve({ status, out }));
  });
}

async function printerAttributes(uri: string): Promise<{ formats: string[]; accepting: boolean | undefined }> {
  const a = await send(uri, request(0x000b, uri, [attr.keyword('requested-attributes', 'all')]));
  const formats = findAttribute(a.message, GroupTag.printer, 'document-format-supported')?.values.flatMap((v) => (v.tag === 'mimeMediaType' ? [v.value] : [])) ?? [];
  return { formats, accepting: booleanValue(findAttribute(a.message, GroupTag.printer, 'printer-is-accepting-jobs')) };
}

beforeAll(async () => {
  writeFileSync(join(dir, 'sealed.test'), IPPTOOL_TEST);
  writeFileSync(join(dir, 'sealed.p7m'), envelopeShaped(2048));
  eve = await startIppEvePrinter({ name: 'tno-no-trustnoone', formats: ['application/pdf', 'text/plain'] });
  shipped = await startTnoIntermediary(eve.uri);
  mixed = await startTnoIntermediary(eve.uri, ['--allow-cleartext']);
}, 60_000);

afterAll(async () => {
  await shipped?.stop();
  await mixed?.stop();
  await eve?.stop();
});

describe('issue 13.9: in front of ippeveprinter (no TRUSTNOONE)', () => {
  it('as shipped: application/pkcs7-mime is not advertised and printer-is-accepting-jobs is false', async () => {
    const { formats, accepting } = await printerAttributes(shipped.uri);
    expect(formats).not.toContain('application/pkcs7-mime');
    expect(accepting).toBe(false);
  });

  it('with --allow-cleartext: the printer’s own formats, without application/pkcs7-mime, and accepting', async () => {
    const { formats, accepting } = await printerAttributes(mixed.uri);
    expect(formats).toContain('application/pdf');
    expect(formats).not.toContain('application/pkcs7-mime');
    expect(accepting).toBe(true);
  });

  for (const [name, relay] of [
    ['tno intermediary', () => shipped],
    ['tno intermediary --allow-cleartext', () => mixed],
  ] as const) {
    it(`${name}: a sealed Print-Job from ipptool and from our client is refused at submission; ippeveprinter receives nothing`, async () => {
      const before = readdirSync(eve.spool).length;
      // As clients do before printing (ipptool's own print tests too): this is when the relay learns it.
      await printerAttributes(relay().uri);
      const r = await ipptool(relay().uri);
      expect(r.status, r.out).toBe(0);
      const a = await send(relay().uri, sealedPrintJob(relay().uri), envelopeShaped('sealed for a printer that cannot open it'));
      expect([a.status, a.jobId], a.statusMessage).toEqual([0x040a, undefined]);
      expect(a.statusMessage).toMatch(/does not support TRUSTNOONE/);
      await new Promise((res) => setTimeout(res, 300));
      expect(readdirSync(eve.spool).length).toBe(before);
    });
  }

  it('--allow-cleartext: a cleartext job still prints there (control)', async () => {
    const uri = mixed.uri;
    const a = await send(uri, request(0x0002, uri, [attr.name('requesting-user-name', 'alice'), attr.mimeMediaType('document-format', 'text/plain')]), Buffer.from('clear text for ippeveprinter\n'));
    expect(a.status, a.statusMessage).toBe(0);
    await waitFor(async () => integerValue(jobAttr(await send(uri, request(0x0009, uri, [attr.integer('job-id', a.jobId!), attr.name('requesting-user-name', 'alice')])), 'job-state')) === 9, 20_000, 'cleartext job completed');
  });
});
