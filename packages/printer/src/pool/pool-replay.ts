/**
 * The replay cache of a printer that is one member of an INFRA pool (docs/decisions.md D32). The
 * members share a key and a printer-uuid, so a job sealed to the pool opens at any of them, and
 * each member's own cache cannot see what the others took: a dishonest Infrastructure Printer could
 * hand one job to two members and both would print it. Before a member takes a job's nonce in its
 * own cache, it claims the job at the pool ledger, which the site runs beside the printers and the
 * queue cannot reach or speak for:
 *
 *   - "claimed" or "mine" (this member's own claim, before a restart): the local cache decides,
 *     as for any printer (a replay to this same member is still refused there);
 *   - "taken": another member has it — PoolRefusal PRINTER_POOL_JOB_TAKEN, nothing is printed;
 *   - no answer within the wait: PoolRefusal PRINTER_POOL_LEDGER_UNAVAILABLE, nothing is printed (fail
 *     closed: printing without the ledger could print twice, which in a pull pool is the leak).
 *
 * The ledger sees only SHA-256("trustnoone pool claim" | replay key): nonces are random, so the
 * digest tells it nothing about the job.
 */
import { createHash } from 'node:crypto';
import { IppStatus } from '@trustnoone/ipp';
import type { ReplayCache } from '@trustnoone/profile';
import { PrinterError } from '../errors.js';
import type { PoolLedgerClient } from './ledger-client.js';

/** A sealed job this pool member must not print; the job ends aborted with `jobMessage`. */
export class PoolRefusal extends PrinterError {
  /** IPP status answered to the Send-Document / Print-Job that carried the job. */
  readonly status: number;
  /** job-state-reasons the job ends with (the Proxy reports them upstream). */
  readonly reasons: readonly string[];
  /** job-state-message: what the device reports upstream as output-device-job-state-message. */
  readonly jobMessage: string;

  constructor(code: 'PRINTER_POOL_JOB_TAKEN' | 'PRINTER_POOL_LEDGER_UNAVAILABLE', detail: string, options?: { cause?: unknown }) {
    super(code, detail, options);
    if (code === 'PRINTER_POOL_JOB_TAKEN') {
      this.status = IppStatus.clientErrorDocumentSecurityError; // a replay across the pool
      this.reasons = ['document-security-error', 'aborted-by-system'];
      this.jobMessage = 'Not printed here: another printer of this pool already took this job (pool ledger).';
    } else {
      this.status = IppStatus.serverErrorServiceUnavailable;
      this.reasons = ['aborted-by-system'];
      this.jobMessage = 'Not printed: the pool ledger could not be reached to rule out a second print; send the job again.';
    }
  }
}

export function poolClaim(replayKey: string): string {
  return createHash('sha256').update(`trustnoone pool claim\n${replayKey}`).digest('hex');
}

export class PoolReplayCache implements ReplayCache {
  constructor(
    private readonly local: ReplayCache & { has(key: string): boolean; close(): Promise<void> },
    private readonly ledger: PoolLedgerClient,
  ) {}

  has(key: string): boolean {
    return this.local.has(key);
  }

  async remember(key: string): Promise<boolean> {
    if (this.local.has(key)) return false;
    let outcome;
    try {
      outcome = await this.ledger.claim(poolClaim(key));
    } catch (err) {
      throw new PoolRefusal('PRINTER_POOL_LEDGER_UNAVAILABLE', (err as Error).message, { cause: err });
    }
    if (outcome === 'taken') throw new PoolRefusal('PRINTER_POOL_JOB_TAKEN', 'another member of the pool claimed this job at the pool ledger');
    return this.local.remember(key);
  }

  /** True when the ledger answers this member now (the Proxy takes no job while it does not). */
  healthy(): Promise<boolean> {
    return this.ledger.healthy();
  }

  async close(): Promise<void> {
    this.ledger.close();
    await this.local.close();
  }
}
