/**
 * Entry point of the isolated renderer process. It is started by renderDocument() with the job as
 * its only argument (paths of the verified plaintext and of the output directory), under OS limits
 * and Node's permission model (read: its own code and the input; write: the output directory), and
 * with an empty environment: it cannot reach the printer's key store or state.
 *
 * A warm spare (sandbox/warm-workers.ts) is started with no argument, its paths fixed in advance,
 * and is sent its job over the IPC channel. Either way the process renders one job and exits:
 * nothing of one job (heap, open files) is there for the next.
 */
import { runJob } from './dispatch.js';
import type { WorkerJob } from './protocol.js';

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) {
    process.stderr.write('renderer worker: must be started by renderDocument() with an IPC channel\n');
    process.exit(70);
  }
  // If the printer goes away (crash, SIGKILL), stop at once instead of running on to the CPU limit.
  process.once('disconnect', () => process.exit(71));
  const job = process.argv[2] === undefined ? await oneJobMessage() : (JSON.parse(process.argv[2]) as WorkerJob);
  const reply = await runJob(job);
  send(reply, () => process.exit(0));
}

/** The first IPC message's job; any later message is ignored (the process ends after this job). */
function oneJobMessage(): Promise<WorkerJob> {
  return new Promise((resolve, reject) => {
    process.once('message', (message: unknown) => {
      const job = (message as { job?: unknown } | null)?.job;
      if (typeof job === 'object' && job !== null) resolve(job as WorkerJob);
      else reject(new Error('the first message is not a job'));
    });
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`renderer worker: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(70);
});
