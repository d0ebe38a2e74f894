/**
 * Relay fix 2: in pull mode the Infrastructure Printer's job shows the output device's PWG 5100.7
 * counters (job-impressions-completed, job-media-sheets-completed, job-pages-completed), as push
 * mode does (issue 15.7): the device sends them with Update-Job-Status (PWG 5100.18) and the
 * intermediary mirrors them for a clear job. A sealed job's stay 'unknown' there
 * (docs/decisions.md D9, counters). Run as shipped: `tno intermediary --infra --allow-cleartext`
 * and `tno printer --proxy URL`; the clear job is a plain Print-Job, the sealed one `tno print`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { GroupTag, type IppAttribute, type IppMessage } from '@trustnoone/ipp';
import { ippRequest } from '@trustnoone/ipp-http/client';
import { a, Op, request } from './support/ipp.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const launcher = fileURLToPath(new URL('./support/tno-source.mts', import.meta.url));
const run = promisify(execFile);
const children: ChildProcess[] = [];
let dir: string | undefined;

afterAll(async () => {
  for (const c of children) c.kill('SIGTERM');
  if (dir) await rm(dir, { recursive: true, force: true });
});

function serve(args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', launcher, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`tno ${args[0]} exited ${code}: ${err}`)));
  });
}

/** A request to `uri` (the helper's message with its printer-uri replaced). */
async function ipp(uri: string, message: IppMessage, data?: Buffer): Promise<IppMessage> {
  const ops = message.groups[0]!;
  const m = { ...message, groups: [{ ...ops, attributes: ops.attributes.map((x) => (x.name === 'printer-uri' ? a.uri('printer-uri', uri) : x)) }, ...message.groups.slice(1)] };
  const r = await ippRequest(uri, m, { ...(data ? { data } : {}), timeoutMs: 30_000 });
  r.data.resume();
  return r.message;
}

const jobAttr = (m: IppMessage, name: string): IppAttribute | undefined => m.groups.find((g) => g.tag === GroupTag.job)?.attributes.find((x) => x.name === name);
const COUNTERS = ['job-impressions-completed', 'job-media-sheets-completed', 'job-pages-completed'];

async function finalAttributes(queue: string, jobId: number): Promise<IppMessage> {
  for (let i = 0; i < 300; i++) {
    const m = await ipp(queue, request(Op.GetJobAttributes, [a.int('job-id', jobId), a.kw('requested-attributes', 'job-state', ...COUNTERS)]));
    const state = jobAttr(m, 'job-state')?.values[0];
    if (state && 'value' in state && Number(state.value) >= 7) return m;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`job ${jobId} did not end`);
}

describe('relay fix 2: pull mode mirrors the device counters of a clear job', () => {
  it('a clear job shows the counters the printer reported; a sealed one shows unknown', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tno-proxy-counters-'));
    const queue = await serve(['intermediary', '--infra', '--anonymous-devices', '--anonymous', '--allow-cleartext', '--port', '0', '--state', join(dir, 'intermediary')]);
    await serve(['printer', '--port', '0', '--state', join(dir, 'printer'), '--proxy', queue]);

    const clear = await ipp(queue, request(Op.PrintJob, [a.mime('document-format', 'text/plain'), a.name('job-name', 'clear')]), Buffer.from('one page of clear text\n'));
    expect(clear.code).toBe(0);
    const clearId = (jobAttr(clear, 'job-id')!.values[0] as { value: number }).value;
    const done = await finalAttributes(queue, clearId);
    expect((jobAttr(done, 'job-state')!.values[0] as { value: number }).value).toBe(9);
    for (const name of COUNTERS) {
      const x = jobAttr(done, name)?.values[0];
      expect(x?.tag, name).toBe('integer');
      expect((x as { value: number }).value, name).toBeGreaterThanOrEqual(1);
    }

    const doc = join(dir, 'sealed.txt');
    await writeFile(doc, 'A sealed page.\n');
    const env = { ...process.env, XDG_STATE_HOME: join(dir, 'client'), TNO_PASSWORD: '' };
    const printed = await run(process.execPath, ['--import', 'tsx', '--conditions=source', launcher, 'print', doc, '-p', queue, '-U', 'alice', '--trust-on-first-use', '--json'], { cwd: root, env, timeout: 60_000 });
    const sealedId = (JSON.parse(printed.stdout) as { jobId: number }).jobId;
    const sealed = await finalAttributes(queue, sealedId);
    for (const name of COUNTERS) expect(jobAttr(sealed, name)?.values[0]?.tag, name).toBe('unknown');
  }, 120_000);
});
