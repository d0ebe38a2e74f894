/**
 * Issue 15 item 3: printers by name, like lpoptions/lpstat. `tno printer add NAME URI` stores the
 * URI with its TLS pin (or CA) and user, and pins the key with the fingerprint read on the
 * printer; later commands take -d NAME, TNO_PRINTER=NAME or the default; `tno printers` shows
 * state, queue length and the key's trust verdict. A real ipps printer on loopback.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { showFingerprint, startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { tno } from './helpers.js';

let dir: string;
let state: string;
let doc: string;
let printer: RunningPrinter;
let keyFp: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-issue-15-3-'));
  state = join(dir, 'state');
  doc = join(dir, 'memo.txt');
  await writeFile(doc, 'memo\n');
  printer = await startPrinter({ stateDir: join(dir, 'printer'), port: 0, logger: false, tls: true });
  keyFp = (await showFingerprint({ stateDir: join(dir, 'printer') })).fingerprint;
});

afterAll(async () => {
  await printer?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('issue 15.3: printers by name', () => {
  it('tno printer add saves URI, TLS pin and user, pins the key, and becomes the default', async () => {
    const r = await tno(['printer', 'add', 'office', printer.uri, '--pin', printer.tlsFingerprint!, '--user', 'alice', '--fingerprint', keyFp, '--state', state]);
    expect(r.code, r.err).toBe(ExitCode.ok);
    expect(r.out).toContain(`printer office added: ${printer.uri} (default)`);
    expect(r.out).toContain('key PINNED');
  });

  it('-d NAME, TNO_PRINTER=NAME and the default all reach it with the saved TLS pin and user', async () => {
    const printed = await tno(['print', doc, '-d', 'office', '--state', state, '--strict', '--no-wait', '--json']);
    expect(printed.code, printed.err).toBe(ExitCode.ok);
    expect(JSON.parse(printed.out).trust.kind).toBe('pinned');
    const jobId = JSON.parse(printed.out).jobId as number;
    for (const [args, env] of [
      [['jobs', '--which', 'all', '--state', state, '--json'], { TNO_PRINTER: 'office' }],
      [['jobs', '--which', 'all', '--state', state, '--json'], {}],
      [['jobs', '--which', 'all', '-p', 'office', '--state', state, '--json'], {}],
    ] as [string[], NodeJS.ProcessEnv][]) {
      const r = await tno(args, env);
      expect(r.code, r.err).toBe(ExitCode.ok);
      const job = (JSON.parse(r.out) as { jobId: number; owner: string }[]).find((j) => j.jobId === jobId);
      expect(job?.owner).toBe('alice');
    }
  });

  it('tno printers shows state, queue length and key trust, like lpstat -p', async () => {
    const r = await tno(['printers', '--state', state, '--json']);
    expect(r.code, r.err).toBe(ExitCode.ok);
    const [office] = JSON.parse(r.out) as Record<string, unknown>[];
    expect(office).toMatchObject({ name: 'office', uri: printer.uri, default: true, reachable: true, trust: 'pinned' });
    expect(['idle', 'processing']).toContain(office!.state);
    expect(typeof office!.queuedJobs).toBe('number');
    const text = await tno(['printers', '--state', state]);
    expect(text.out).toMatch(/^printer office \(default\) ipps:\/\/\S+: (idle|processing).*job\(s\) queued, key PINNED [0-9A-F:]{95}\n$/);
  });

  it('an unknown name, an unreachable printer and a second printer: each says what to do', async () => {
    const unknown = await tno(['jobs', '-d', 'nosuch', '--state', state]);
    expect(unknown.code).toBe(ExitCode.usage);
    expect(unknown.err).toContain("tno printer add nosuch URI");
    expect(unknown.err).toContain('known: office');
    const down = await tno(['printer', 'add', 'lab', 'ipp://127.0.0.1:1/ipp/print', '--state', state, '--timeout', '2']);
    expect(down.code).toBe(ExitCode.unreachable);
    expect(JSON.parse((await tno(['printers', '--state', state, '--json'])).out)).toHaveLength(1);
    // The same printer at another URI (its root path): saved, but its key is trusted only at the
    // URI pinned (docs/decisions.md D23), and tno says how to pin it here.
    const other = printer.uri.replace(/\/ipp\/print$/, '/');
    const plain = await tno(['printer', 'add', 'direct', other, '--pin', printer.tlsFingerprint!, '--state', state]);
    expect(plain.code, plain.err).toBe(ExitCode.ok);
    expect(plain.out).not.toContain('(default)');
    expect(plain.out).toContain('key not trusted yet (elsewhere)');
    expect(plain.out).toContain('tno trust pin -d direct --fingerprint');
    const removed = await tno(['printer', 'remove', 'direct', '--state', state]);
    expect(removed.code).toBe(ExitCode.ok);
    expect(JSON.parse((await tno(['printers', '--state', state, '--json'])).out).map((p: { name: string }) => p.name)).toEqual(['office']);
  });
});
