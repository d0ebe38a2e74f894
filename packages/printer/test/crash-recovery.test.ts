/**
 * docs/architecture.md "Data at rest": a crashed render leaves no decrypted bytes behind after restart.
 * A real printer process is killed (SIGKILL, no chance to clean up) while it renders a sealed
 * job whose verified plaintext is on disk; the next start on the same state directory removes it.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeMessage, type IppMessage } from '@trustnoone/ipp';
import { ippRequest } from '@trustnoone/ipp-http';
import { buildOuterRequest, buildInnerRequest, newJobNonce } from '@trustnoone/profile';
import { sealToBytes, parseCertificate, joinPemLines } from '@trustnoone/smime';
import { jobPaths, stateLayout } from '@trustnoone/printer';
import { pwgRaster } from './support/documents.js';
import { a, Op, printer, request, tempDir } from './support/ipp.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const launcher = fileURLToPath(new URL('./support/tno-source.mts', import.meta.url));

function withUri(m: IppMessage, uri: string): IppMessage {
  const ops = m.groups[0]!.attributes.map((x) => (x.name === 'printer-uri' ? a.uri('printer-uri', uri) : x));
  return { ...m, groups: [{ ...m.groups[0]!, attributes: ops }, ...m.groups.slice(1)] };
}

function value(m: IppMessage, group: number, name: string): unknown {
  return (m.groups.find((g) => g.tag === group)?.attributes.find((x) => x.name === name)?.values[0] as { value?: unknown } | undefined)?.value;
}

describe('crash during a sealed job', () => {
  it('leaves no decrypted bytes after a restart', async () => {
    const d = await tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', launcher, 'printer', '--port', '0', '--state', d.path], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const uri = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`printer exited ${code}`)));
      });
      const gpa = await ippRequest(uri, withUri(request(Op.GetPrinterAttributes, [a.kw('requested-attributes', 'printer-uuid', 'printer-pkcs7-public-key')]), uri));
      const uuid = String(value(gpa.message, 0x04, 'printer-uuid'));
      const lines = gpa.message.groups.find((g) => g.tag === 0x04)!.attributes.find((x) => x.name === 'printer-pkcs7-public-key')!.values.map((v) => (v as { value: string }).value);
      // Big enough that rendering takes a while: 8 A4 pages at 300 dpi.
      const doc = pwgRaster({ pages: 8, width: 2480, height: 3508, dpi: 300 });
      const inner = buildInnerRequest({ operation: 'Print-Job', printerUri: uri, requestingUserName: 'alice', printerUuid: uuid, jobUuid: newJobNonce(), documentFormat: 'image/pwg-raster' });
      const envelope = await sealToBytes(Buffer.concat([encodeMessage(inner), doc]), { recipients: [parseCertificate(joinPemLines(lines))] });
      const outer = buildOuterRequest({ operation: 'Print-Job', printerUri: uri, requestId: 3, requestingUserName: 'alice' });
      const res = await ippRequest(uri, outer, { data: envelope });
      expect(res.message.code).toBe(0);
      const id = value(res.message, 0x02, 'job-id') as number;
      const paths = jobPaths(stateLayout(d.path), id);
      // Wait until the engine is rendering the verified plaintext, then kill the process.
      for (let i = 0; i < 200; i++) {
        const g = await ippRequest(uri, withUri(request(Op.GetJobAttributes, [a.int('job-id', id), a.kw('requested-attributes', 'job-state')]), uri));
        if (value(g.message, 0x02, 'job-state') === 5) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      expect((await stat(join(paths.private, 'document-1'))).size).toBe(doc.length);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      expect((await readdir(paths.private)).length).toBeGreaterThan(0);

      const restarted = await printer(d.path);
      try {
        await expect(stat(paths.private)).rejects.toThrow();
        await expect(stat(paths.spool)).rejects.toThrow();
        // The interrupted job is reported as aborted by the system, not lost.
        const job = restarted.runtime.store.get(id)!;
        expect(job.state).toBe('aborted');
        expect(job.reasons.has('aborted-by-system')).toBe(true);
        expect(JSON.parse(await readFile(paths.manifest, 'utf8'))).toMatchObject({ state: 'aborted', error: 'PRINTER_RESTARTED' });
      } finally {
        await restarted.close();
      }
    } finally {
      child.kill('SIGKILL');
      await d.remove();
    }
  }, 90_000);
});

