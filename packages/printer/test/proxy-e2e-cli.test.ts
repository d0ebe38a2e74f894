/**
 * The command line in pull mode, as a person would use it: `tno intermediary --infra`,
 * `tno printer --proxy URL`, then `tno print` and `tno status --cert --key` against the
 * intermediary. The owner sees the real job name, sealed through the relay; the intermediary's
 * state never holds it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { filesUnder } from './support/files.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const launcher = fileURLToPath(new URL('./support/tno-source.mts', import.meta.url));
const run = promisify(execFile);
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) c.kill('SIGTERM');
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

function tno(args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['--import', 'tsx', '--conditions=source', launcher, ...args], { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 });
}

describe('tno in pull mode', () => {
  it('tno print and tno status --cert --key work through tno intermediary --infra and tno printer --proxy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tno-proxy-cli-'));
    const queue = await serve(['intermediary', '--infra', '--anonymous-devices', '--anonymous', '--port', '0', '--state', join(dir, 'intermediary')]);
    await serve(['printer', '--port', '0', '--state', join(dir, 'printer'), '--proxy', queue]);
    const secret = `Board minutes ${Math.random().toString(36).slice(2, 12)}`;
    const doc = join(dir, 'minutes.txt');
    await writeFile(doc, 'Minutes of the meeting.\n');
    const env = { XDG_STATE_HOME: join(dir, 'client'), TNO_PASSWORD: '' };
    // The printer registers in the background: retry until its attributes are at the queue.
    let printed: { stdout: string } | undefined;
    for (let i = 0; i < 100 && !printed; i++) {
      printed = await tno(['print', doc, '-p', queue, '-U', 'alice', '-o', `job-name=${secret}`, '--trust-on-first-use', '--json'], env).catch(async () => {
        await new Promise((r) => setTimeout(r, 200));
        return undefined;
      });
    }
    const result = JSON.parse(printed!.stdout) as { jobId: number; state: string; encrypted: boolean };
    expect(result).toMatchObject({ state: 'completed', encrypted: true });

    // tno print bound the job to the identity it keeps in the state directory (issue 11.9).
    const identity = join(dir, 'client', 'trustnoone', 'identity');
    const status = await tno(['status', String(result.jobId), '-p', queue, '-U', 'alice', '--cert', join(identity, 'cert.pem'), '--key', join(identity, 'key.pem')], env);
    expect(status.stdout).toContain(`job-name = ${secret}`);
    expect(status.stdout).toContain('completed');
    // Another user is refused before anything is sealed.
    await expect(tno(['status', String(result.jobId), '-p', queue, '-U', 'mallory', '--cert', join(identity, 'cert.pem'), '--key', join(identity, 'key.pem')], env)).rejects.toThrow(/another user|forbidden/);

    for (const f of await filesUnder(join(dir, 'intermediary'))) expect((await readFile(f)).includes(Buffer.from(secret)), f).toBe(false);
  }, 120_000);
});
