/**
 * PWG 5100.14 §5.1 operations beyond RFC 8011's, exercised rather than only listed:
 * Identify-Printer (PWG 5100.13 §4.1) and Cancel-My-Jobs (PWG 5100.11 §4.2).
 */
import { getInteger } from '@trustnoone/ipp';
import { expectStatus } from '../expect.js';
import { attr, val } from '../ipp-builders.js';
import { ConformanceFailure, defineTest, type TestDefinition } from '../model.js';
import { BOTH, jobIdOf } from './shared.js';

export const pwg5100_14Operations: readonly TestDefinition[] = [
  defineTest({
    id: 'pwg5100-14.identify-printer-works',
    title: 'Identify-Printer is answered successful-ok',
    level: 'REQUIRED',
    section: '§5.1 (PWG 5100.13 §4.1)',
    roles: BOTH,
    requires: ['ipp'],
    async run(t) {
      if (!(await t.supportsOperation('Identify-Printer'))) t.skip('Identify-Printer is not in operations-supported (see pwg5100-14.operation.identify-printer)');
      const { message } = await t.send(t.request('Identify-Printer', { operation: [attr('identify-actions', val.keyword('display'))] }));
      expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(message);
    },
  }),
  defineTest({
    id: 'pwg5100-14.cancel-my-jobs-works',
    title: "Cancel-My-Jobs cancels the requesting user's pending job",
    level: 'REQUIRED',
    section: '§5.1 (PWG 5100.11 §4.2)',
    roles: BOTH,
    requires: ['create-job'],
    async run(t) {
      if (!(await t.supportsOperation('Cancel-My-Jobs'))) t.skip('Cancel-My-Jobs is not in operations-supported (see pwg5100-14.operation.cancel-my-jobs)');
      const created = await t.send(t.request('Create-Job', { operation: [attr('job-name', val.name('conformance cancel-my-jobs'))] }));
      expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(created.message);
      const jobId = jobIdOf(created.message);
      const { message } = await t.send(t.request('Cancel-My-Jobs'));
      expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(message);
      // A relay may carry the cancel upstream before its own copy changes state: allow it a moment.
      let state: number | undefined;
      for (const deadline = Date.now() + 5000; ; await new Promise((r) => setTimeout(r, 200))) {
        state = getInteger(await t.jobAttributes(jobId), 'job', 'job-state');
        if (state === 7 || Date.now() > deadline) break;
      }
      if (state !== 7) throw new ConformanceFailure(`job ${jobId} is in state ${state ?? 'missing'} 5 s after Cancel-My-Jobs, not canceled (7)`);
    },
  }),
];
