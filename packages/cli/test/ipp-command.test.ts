import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ExitCode, main, type Io } from '@trustnoone/cli';

const ROOT = new URL('../../../', import.meta.url).pathname;
const SHARED = '/work/shared/vectors/ipp';
const VECTORS = existsSync(SHARED) ? SHARED : join(ROOT, 'vectors/ipp');
const bins = readdirSync(VECTORS).filter((f) => f.endsWith('.bin'));

function capture(): { io: Io; out: () => Buffer; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const o: Buffer[] = [];
  let e = '';
  stdout.on('data', (d: Buffer) => o.push(d));
  stderr.on('data', (d) => (e += d));
  return { io: { stdout, stderr, stdin: new PassThrough(), cwd: VECTORS, env: {} }, out: () => Buffer.concat(o), err: () => e };
}

describe('tno ipp decode / encode (through main())', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tno-ipp-'));
  for (const name of bins) {
    it(`${name}: decode → JSON → encode reproduces the file byte for byte`, async () => {
      const d = capture();
      expect(await main(['ipp', 'decode', name], d.io)).toBe(ExitCode.ok);
      const json = d.out().toString();
      expect(JSON.parse(json)).toHaveProperty('groups');
      const jsonFile = join(dir, `${name}.json`);
      writeFileSync(jsonFile, json);
      const e = capture();
      expect(await main(['ipp', 'encode', jsonFile], e.io)).toBe(ExitCode.ok);
      expect(e.out().equals(readFileSync(join(VECTORS, name)))).toBe(true);
    });
  }

  it('a truncated file: one line naming the offset, exit 1', async () => {
    const bad = join(dir, 'bad.bin');
    writeFileSync(bad, readFileSync(join(VECTORS, 'gpa-all-mcd.resp.bin')).subarray(0, 4000));
    const c = capture();
    expect(await main(['ipp', 'decode', bad], c.io)).toBe(ExitCode.failure);
    expect(c.out()).toHaveLength(0);
    expect(c.err().trim().split('\n')).toHaveLength(1);
    expect(c.err()).toMatch(/offset \d+/);
    expect(c.err()).toContain('[IPP_TRUNCATED]');
  });

  it('bad JSON for encode names the JSON path', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: '2.0', code: 2, requestId: 1, groups: [{ tag: 'operation', attributes: [{ name: 'x', values: [{ tag: 'integer', value: 'one' }] }] }] }));
    const c = capture();
    expect(await main(['ipp', 'encode', bad], c.io)).toBe(ExitCode.failure);
    expect(c.err()).toContain('$.groups[0].attributes[0].values[0].value');
  });

  it('--validate lists RFC 8011 violations and exits 1; a missing file is a usage error', async () => {
    const c = capture();
    expect(await main(['ipp', 'decode', '--validate', 'gpa-all.req.bin'], c.io)).toBe(ExitCode.ok);
    const r = capture();
    expect(await main(['ipp', 'decode', '--validate', 'gpa-all.resp.bin'], r.io)).toBe(ExitCode.failure);
    expect(r.err()).toContain('printer-uri'); // a response has no target: the request checks fail
    const m = capture();
    expect(await main(['ipp', 'decode', 'no-such-file.bin'], m.io)).toBe(ExitCode.usage);
  });
});

describe('npx tno ipp (the built command)', () => {
  it('decode | encode through the installed bin is byte-identical', () => {
    expect(existsSync(join(ROOT, 'packages/cli/dist/main.js')), 'build first: node node_modules/typescript/bin/tsc -b').toBe(true);
    const file = join(VECTORS, 'synthetic-edge.resp.bin');
    const decoded = spawnSync('npx', ['--no-install', 'tno', 'ipp', 'decode', file], { cwd: ROOT, encoding: 'utf8' });
    expect(decoded.status, decoded.stderr).toBe(0);
    const encoded = spawnSync('npx', ['--no-install', 'tno', 'ipp', 'encode', '-'], { cwd: ROOT, input: decoded.stdout });
    expect(encoded.status, String(encoded.stderr)).toBe(0);
    expect(Buffer.from(encoded.stdout).equals(readFileSync(file))).toBe(true);
    const bad = spawnSync('npx', ['--no-install', 'tno', 'ipp', 'decode', '-'], { cwd: ROOT, input: Buffer.from('0200000b00000001', 'hex'), encoding: 'utf8' });
    expect(bad.status).toBe(1);
    // npm may print its own warnings first; tno's error is the one line starting with "tno:".
    const ours = bad.stderr.split('\n').filter((l) => l.startsWith('tno:'));
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(/^tno: -: .*offset 8 \[IPP_TRUNCATED\]$/);
  });
});
