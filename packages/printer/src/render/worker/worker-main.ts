/**
 * Entry point of the isolated renderer process. It is started by renderDocument() with the job as
 * its only argument (paths of the verified plaintext and of the output directory), under OS limits
 * and Node's permission model (read: its own code and the input; write: the output directory), and
 * with an empty environment: it cannot reach the printer's key store or state.
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
  const job = JSON.parse(process.argv[2] ?? '') as WorkerJob;
  const reply = await runJob(job);
  send(reply, () => process.exit(0));
}

main().catch((error: unknown) => {
  process.stderr.write(`renderer worker: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(70);
});
