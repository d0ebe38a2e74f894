import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DirectorySpool } from '../src/spool/dir-spool.js';
import { JobState, type JobStatus, type SpoolJob } from '../src/spool/types.js';
import { IntermediaryError } from '../src/errors.js';

const status: JobStatus = { state: JobState.pending, reasons: ['job-queued'], forward: { documentsSent: 0 } };

function job(id: number, docs: Array<{ size: number; sha256: string }>, closed = true): SpoolJob {
  return {
    id,
    uuid: `urn:uuid:00000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
    owner: 'alice',
    ownerAuthenticated: false,
    createdAt: 1,
    operation: 'print-job',
    attributes: [{ name: 'job-name', values: [{ tag: 'nameWithoutLanguage', value: 'encrypted job' }] }, { name: 'x-bytes', values: [{ tag: 'octetString', value: new Uint8Array([0, 255, 7]) }] }],
    jobAttributes: [],
    documents: docs.map((d, i) => ({ number: i + 1, size: d.size, sha256: d.sha256, attributes: [], last: closed && i === docs.length - 1 })),
    closed,
  };
}

function fresh(): { root: string; spool: DirectorySpool } {
  const root = mkdtempSync(join(tmpdir(), 'tno-spool-'));
  return { root, spool: new DirectorySpool({ root }) };
}

async function readAll(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('directory spool: commit is atomic and recovery keeps only committed jobs', () => {
  it('stores a committed job with its document bytes and octetString attributes intact', async () => {
    const { spool } = fresh();
    await spool.recover();
    const blob = await spool.writeBlob(Readable.from([Buffer.from('sealed-'), Buffer.from('bytes')]), { maxBytes: 100 });
    expect(blob.size).toBe(12);
    expect(blob.sha256).toBe(createHash('sha256').update('sealed-bytes').digest('hex'));
    const id = await spool.allocateJobId();
    await spool.commitJob(job(id, [blob]), status, [blob]);
    const again = new DirectorySpool({ root: spool.root });
    const recovered = await again.recover();
    expect(recovered).toHaveLength(1);
    expect(recovered[0]!.job.attributes[1]!.values[0]).toEqual({ tag: 'octetString', value: new Uint8Array([0, 255, 7]) });
    expect((await readAll(again.openDocument(id, 1))).toString()).toBe('sealed-bytes');
    expect(await again.allocateJobId()).toBe(id + 1);
  });

  it('a blob over the size limit is refused with request-entity-too-large and leaves nothing behind', async () => {
    const { root, spool } = fresh();
    await spool.recover();
    const err = await spool.writeBlob(Readable.from([Buffer.alloc(60), Buffer.alloc(60)]), { maxBytes: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntermediaryError);
    expect((err as IntermediaryError).status).toBe(0x0408);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it('recovery deletes staged uploads, unrenamed job dirs and unlisted documents', async () => {
    const { root, spool } = fresh();
    await spool.recover();
    const a = await spool.writeBlob(Readable.from([Buffer.from('one')]), { maxBytes: 100 });
    await spool.commitJob(job(1, [a], false), status, [a]);
    // A second document renamed in but job.json never rewritten: a crash inside addDocument.
    writeFileSync(join(root, 'jobs', '1', 'doc-2.blob'), 'half');
    writeFileSync(join(root, 'jobs', '1', 'job.json.tmp'), '{');
    // A staged upload and an assembled-but-unrenamed job.
    await spool.writeBlob(Readable.from([Buffer.from('orphan')]), { maxBytes: 100 });
    mkdirSync(join(root, 'tmp', 'job-2-x'));
    writeFileSync(join(root, 'tmp', 'job-2-x', 'job.json'), '{}');
    const again = new DirectorySpool({ root });
    const jobs = await again.recover();
    expect(jobs.map((j) => j.job.id)).toEqual([1]);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
    expect(readdirSync(join(root, 'jobs', '1')).sort()).toEqual(['doc-1.blob', 'job.json', 'status.json']);
  });

  it('addDocument appends and closes atomically; a closed job refuses more documents', async () => {
    const { spool } = fresh();
    await spool.recover();
    await spool.commitJob(job(1, [], false), status, []);
    const b = await spool.writeBlob(Readable.from([Buffer.from('doc-one')]), { maxBytes: 100 });
    const after = await spool.addDocument(1, { number: 1, size: b.size, sha256: b.sha256, attributes: [], last: true }, b, true);
    expect(after.closed).toBe(true);
    expect(after.documents).toHaveLength(1);
    const c = await spool.writeBlob(Readable.from([Buffer.from('late')]), { maxBytes: 100 });
    await expect(spool.addDocument(1, { number: 2, size: 4, sha256: c.sha256, attributes: [], last: true }, c, true)).rejects.toMatchObject({ code: 'INTERMEDIARY_JOB_STATE' });
    const reread = await new DirectorySpool({ root: spool.root }).recover();
    expect(reread[0]!.job.documents.map((d) => d.sha256)).toEqual([b.sha256]);
  });

  it('saveStatus replaces the status record; delete removes the job', async () => {
    const { root, spool } = fresh();
    await spool.recover();
    await spool.commitJob(job(1, [], true), status, []);
    await spool.saveStatus(1, { ...status, state: JobState.completed, forward: { documentsSent: 0, upstreamJobId: 9 } });
    expect(JSON.parse(readFileSync(join(root, 'jobs', '1', 'status.json'), 'utf8')).forward.upstreamJobId).toBe(9);
    await spool.delete(1);
    expect(existsSync(join(root, 'jobs', '1'))).toBe(false);
    expect(await new DirectorySpool({ root }).recover()).toEqual([]);
  });

  it('a damaged job record is quarantined instead of stopping recovery', async () => {
    const { root, spool } = fresh();
    await spool.recover();
    await spool.commitJob(job(1, [], true), status, []);
    await spool.commitJob(job(2, [], true), status, []);
    writeFileSync(join(root, 'jobs', '1', 'job.json'), '{"id": 1, "documents": tru');
    const again = new DirectorySpool({ root });
    expect((await again.recover()).map((j) => j.job.id)).toEqual([2]);
    expect(again.quarantined).toHaveLength(1);
    expect(existsSync(join(again.quarantined[0]!.movedTo, 'job.json'))).toBe(true);
    expect(existsSync(join(root, 'jobs', '1'))).toBe(false);
  });
});
