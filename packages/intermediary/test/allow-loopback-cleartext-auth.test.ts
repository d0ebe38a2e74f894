/**
 * The library option allowLoopbackCleartextAuth (tests and demos only; `tno intermediary` never
 * sets it, so credentials reach it over TLS only): without it Basic credentials over plain HTTP are
 * refused unchecked even from loopback; with it they are checked from loopback. Tests that set it
 * say why next to it (review item 4).
 */
import { readFileSync, readdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IppTransportError } from '@trustnoone/ipp-http';
import { hashPassword, startIntermediary, type RunningIntermediary, type UserEntry } from '../src/index.js';
import { startFakePrinter, type FakePrinter } from './fixtures/fake-printer.js';
import { request, send } from './fixtures/client.js';

const cliSources = join(dirname(fileURLToPath(import.meta.url)), '../../cli/src');
let printer: FakePrinter;
const running: RunningIntermediary[] = [];
const alice = { user: 'alice', password: 'alice-pw' };

async function start(allowLoopbackCleartextAuth: boolean): Promise<RunningIntermediary> {
  const users = new Map<string, UserEntry>([['alice', { name: 'alice', role: 'user', hash: await hashPassword(alice.password, { N: 1024, r: 8, p: 1 }) }]]);
  const r = await startIntermediary({ stateDir: mkdtempSync(join(tmpdir(), 'tno-cleartext-auth-')), upstreams: [{ uri: printer.uri }], users, allowLoopbackCleartextAuth, port: 0, announce: () => {}, handleSignals: false, logger: false });
  running.push(r);
  return r;
}

beforeAll(async () => {
  printer = await startFakePrinter();
});
afterAll(async () => {
  for (const r of running) await r.close();
  await printer?.close();
});

describe('allowLoopbackCleartextAuth', () => {
  it('off (as tno ships): Basic over plain HTTP from loopback is refused unchecked (401)', async () => {
    const r = await start(false);
    const err = await send(r.uri, request(0x000b, r.uri), undefined, alice).catch((e: unknown) => e);
    expect((err as IppTransportError).httpStatus).toBe(401);
  });

  it('on: the same credentials are checked and admitted from loopback', async () => {
    const r = await start(true);
    expect((await send(r.uri, request(0x000b, r.uri), undefined, alice)).status).toBe(0);
  });

  it('the tno command never sets it', () => {
    const files = readdirSync(cliSources, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) expect(readFileSync(join(cliSources, f), 'utf8'), f).not.toContain('allowLoopbackCleartextAuth');
  });
});
