/**
 * The filters that recognise an orphaned Create-Job and an earlier Print-Job delivery in Get-Jobs
 * answers (src/upstream/orphans.ts): what they must never pick is what protects other jobs.
 */
import { describe, expect, it } from 'vitest';
import { GroupTag, type IppMessage } from '@trustnoone/ipp';
import { attr } from '../src/attrs.js';
import { earlierDeliveries, highestJobId, orphanCandidates } from '../src/upstream/orphans.js';

type Job = { id: number; state: number; docs?: number; name?: string };
function answer(...jobs: Job[]): IppMessage {
  return {
    version: { major: 2, minor: 0 },
    code: 0,
    requestId: 1,
    groups: [
      { tag: GroupTag.operation, attributes: [attr.charset('attributes-charset', 'utf-8')] },
      ...jobs.map((j) => ({
        tag: GroupTag.job,
        attributes: [
          attr.integer('job-id', j.id),
          attr.enum('job-state', j.state),
          ...(j.docs !== undefined ? [attr.integer('number-of-documents', j.docs)] : []),
          ...(j.name !== undefined ? [attr.name('job-name', j.name)] : []),
        ],
      })),
    ],
  };
}

describe('orphanCandidates', () => {
  const q = { jobName: 'encrypted job', known: new Set([7]) };
  it('picks empty, unfinished, same-named jobs no spool record points at, newest first', () => {
    const a = answer({ id: 5, state: 3, docs: 0, name: 'encrypted job' }, { id: 9, state: 4, docs: 0, name: 'encrypted job' });
    expect(orphanCandidates(a, q)).toEqual([9, 5]);
  });
  it('never picks a job with documents, without a document count, ended, another name, or known', () => {
    const a = answer(
      { id: 1, state: 3, docs: 1, name: 'encrypted job' },
      { id: 2, state: 3, name: 'encrypted job' },
      { id: 3, state: 7, docs: 0, name: 'encrypted job' },
      { id: 4, state: 3, docs: 0, name: 'report.pdf' },
      { id: 7, state: 3, docs: 0, name: 'encrypted job' },
    );
    expect(orphanCandidates(a, q)).toEqual([]);
  });
  it('ignores the name when our Create-Job carried none (the printer may have named it)', () => {
    expect(orphanCandidates(answer({ id: 4, state: 3, docs: 0, name: 'Untitled' }), { jobName: undefined, known: new Set() })).toEqual([4]);
  });
});

describe('earlierDeliveries', () => {
  const q = { jobName: 'encrypted job', known: new Set([12]), highWater: 10 };
  it('only jobs above the high-water mark, not known, not aborted, not empty, same name', () => {
    const answers = [
      answer({ id: 9, state: 9, docs: 1, name: 'encrypted job' }, { id: 11, state: 5, docs: 1, name: 'encrypted job' }, { id: 12, state: 9, docs: 1, name: 'encrypted job' }),
      answer({ id: 13, state: 8, docs: 1, name: 'encrypted job' }, { id: 14, state: 9, docs: 0, name: 'encrypted job' }, { id: 15, state: 9, name: 'other' }, { id: 16, state: 9, name: 'encrypted job' }),
    ];
    expect(earlierDeliveries(answers, q)).toEqual([11, 16]);
    expect(highestJobId(answers)).toBe(16);
    expect(highestJobId([answer()])).toBe(0);
  });
});
