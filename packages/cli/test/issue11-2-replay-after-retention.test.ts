/**
 * Issue 11.2, replay after retention: the replay cache forgets a job nonce after 400 days, while
 * the printer's key lives for years. A relay that captured a sealed job sends it again after the
 * cache let go of it; the printer must refuse it, because the sealed request carries its creation
 * time and the printer accepts only jobs younger than its cache remembers.
 *
 * The printer runs as shipped (default retention); the 401 days pass on a faked clock (only
 * `Date` is faked: timers and sockets run in real time) across a restart, as they would.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { decodeMessage } from '@trustnoone/ipp';
import { showFingerprint, startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { tno } from './helpers.js';
import { startHostileRelay, type HostileRelay } from './hostile-relay.js';

const DAY = 24 * 3600 * 1000;

let dir: string;
let printer: RunningPrinter;
let relay: HostileRelay;
let captured: Buffer | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-issue11-2-'));
  printer = await startPrinter({ stateDir: join(dir, 'printer'), port: 0, logger: false });
  // The relay keeps a copy of every sealed Print-Job it forwards.
  relay = await startHostileRelay(printer.uri, (req, forward) => {
    if (req.message.code === 0x0002) captured = req.body;
    return forward(req.body);
  });
  const fp = (await showFingerprint({ stateDir: join(dir, 'printer') })).fingerprint;
  expect((await tno(['trust', 'pin', '--printer', printer.uri, '--fingerprint', fp, '--state', join(dir, 'state')])).code).toBe(ExitCode.ok);
  // Trust is kept per URI (decisions.md D23): the relay's URI is pinned with the printer's fingerprint too.
  expect((await tno(['trust', 'pin', '--printer', relay.uri, '--fingerprint', fp, '--state', join(dir, 'state')])).code).toBe(ExitCode.ok);
  await writeFile(join(dir, 'cheque.txt'), 'pay the bearer 100 EUR\n');
}, 60_000);

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  await relay?.close();
  await printer?.close();
  await rm(dir, { recursive: true, force: true });
});

async function submit(body: Buffer) {
  const res = await fetch(printer.uri.replace(/^ipp:/, 'http:'), { method: 'POST', headers: { 'content-type': 'application/ipp' }, body });
  const answer = decodeMessage(new Uint8Array(await res.arrayBuffer()));
  const v = answer.groups.find((g) => g.tag === 0x02)?.attributes.find((a) => a.name === 'job-id')?.values[0];
  const id = v && 'value' in v ? (v.value as number) : undefined;
  return { status: answer.code, job: id === undefined ? undefined : await printer.printer.runtime.store.whenFinalized(id) };
}

describe('issue 11.2: replay after retention', () => {
  it('a sealed job captured by a relay and sent again 401 days later, after a restart, is refused and not printed', async () => {
    const r = await tno(['print', join(dir, 'cheque.txt'), '--printer', relay.uri, '--state', join(dir, 'state'), '--json']);
    expect(r.code, r.err).toBe(ExitCode.ok);
    expect(captured).toBeDefined();
    // Within the window, the cache itself refuses the copy.
    expect((await submit(captured!)).status).toBe(0x041a);

    const port = printer.port;
    await printer.close();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 401 * DAY);
    printer = await startPrinter({ stateDir: join(dir, 'printer'), port, logger: false });

    const replayed = await submit(captured!);
    expect(replayed.status).toBe(0x041a);
    expect(replayed.job?.state).toBe('aborted');
    expect([...(replayed.job?.reasons ?? [])]).toContain('document-security-error');
    expect(replayed.job?.pagesCompleted).toBe(0);
  });

  it('a fresh job printed 401 days on is accepted: the window moves with the clock', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 401 * DAY);
    const r = await tno(['print', join(dir, 'cheque.txt'), '--printer', printer.uri, '--state', join(dir, 'state'), '--json']);
    expect(r.code, r.err).toBe(ExitCode.ok);
    expect(JSON.parse(r.out)).toMatchObject({ state: 'completed' });
  });
});
