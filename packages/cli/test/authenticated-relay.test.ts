/**
 * The user commands through an intermediary that requires HTTP Basic authentication (users file,
 * ipps on loopback as `tno intermediary --tls-key/--tls-cert` serves it, its CA given with --ca): credentials from $TNO_PASSWORD, job ownership enforced
 * by the relay, and a failed login reported as one actionable line.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { addUser, loadUsersFile, startIntermediary, type RunningIntermediary } from '@trustnoone/intermediary';
import { showFingerprint, startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { tno } from './helpers.js';
import { loopbackTls } from '../../../testing/loopback-tls.js';

const TLS = loopbackTls();

let dir: string;
let printer: RunningPrinter;
let relay: RunningIntermediary;
let doc: string;
let state: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-cli-auth-'));
  printer = await startPrinter({ stateDir: join(dir, 'printer'), port: 0, logger: false });
  const users = join(dir, 'users');
  await addUser(users, 'alice', 'alice-secret');
  await addUser(users, 'bob', 'bob-secret');
  relay = await startIntermediary({
    stateDir: join(dir, 'relay'),
    port: 0,
    upstreams: [{ uri: printer.uri }],
    users: await loadUsersFile(users),
    https: { key: TLS.key, cert: TLS.cert },
    handleSignals: false,
    announce: () => undefined,
    logger: false,
  });
  expect(relay.uri).toMatch(/^ipps:/);
  doc = join(dir, 'memo.txt');
  await writeFile(doc, 'memo\n');
  state = join(dir, 'state');
  const fp = (await showFingerprint({ stateDir: join(dir, 'printer') })).fingerprint;
  // Pinned for the URI printed to (the intermediary), with the fingerprint read on the printer.
  expect((await tno(['trust', 'pin', '--printer', relay.uri, '--ca', TLS.certFile, '--fingerprint', fp, '--state', state, '--user', 'alice'], { TNO_PASSWORD: 'alice-secret' })).code).toBe(ExitCode.ok);
});

afterAll(async () => {
  await relay?.close();
  await printer?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('tno through an intermediary that requires authentication', () => {
  it('prints with the password from $TNO_PASSWORD, and only the owner sees the job', async () => {
    const r = await tno(['print', doc, '--printer', relay.uri, '--ca', TLS.certFile, '--user', 'alice', '--state', state, '--json'], { TNO_PASSWORD: 'alice-secret' });
    expect(r.code, r.err).toBe(ExitCode.ok);
    const { jobId } = JSON.parse(r.out);
    const mine = await tno(['status', String(jobId), '--printer', relay.uri, '--ca', TLS.certFile, '--user', 'alice', '--json'], { TNO_PASSWORD: 'alice-secret' });
    expect(mine.code, mine.err).toBe(ExitCode.ok);
    expect(JSON.parse(mine.out)).toMatchObject({ jobId, state: 'completed' });
    const other = await tno(['cancel', String(jobId), '--printer', relay.uri, '--ca', TLS.certFile, '--user', 'bob'], { TNO_PASSWORD: 'bob-secret' });
    expect(other.code).toBe(ExitCode.failure);
    expect(other.err.trimEnd().split('\n')).toHaveLength(1);
  });

  it('reports missing or wrong credentials as one line', async () => {
    for (const env of [{}, { TNO_PASSWORD: 'wrong' }] as NodeJS.ProcessEnv[]) {
      const r = await tno(['print', doc, '--printer', relay.uri, '--ca', TLS.certFile, '--user', 'alice', '--state', state], env);
      expect(r.code).toBe(ExitCode.failure);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(env.TNO_PASSWORD ? /password for user 'alice' was refused/ : /set TNO_PASSWORD/);
    }
  });
});
