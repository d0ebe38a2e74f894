/**
 * Get-Encrypted-Job-Attributes in pull mode (docs/spec-notes.md §2, §5): the owner's request cannot be
 * relayed to a printer that has no inbound connectivity, so it is recorded under an
 * `encrypted-job-request-id`, announced to the job's output device, and the owner's HTTP request
 * waits until the device answers with Acknowledge-Encrypted-Job-Attributes (or the wait ends).
 * The answer is ciphertext sealed to the owner: it is held, bounded in size, and passed on unread.
 * `EncryptedRequestLog` is the seam: `EncryptedRequests` keeps them in this process; the PostgreSQL
 * store keeps them in rows (store/pg/encrypted-requests.ts), so the owner and the device may talk
 * to different instances.
 */
import type { IppAttribute } from '@trustnoone/ipp';

export interface EncryptedRequest {
  readonly id: number;
  readonly jobId: number;
  readonly device: string;
  readonly queue: string;
  /** What the device needs to answer: job-id, requested-attributes, requesting-user-name, the owner's certificate. */
  readonly operation: readonly IppAttribute[];
  readonly createdAt: number;
  /** The device fetched it (Fetch-Encrypted-Job-Attributes). */
  readonly fetched: boolean;
}

export interface EncryptedAnswer {
  readonly status: number;
  readonly statusMessage?: string;
  readonly operation: readonly IppAttribute[];
  /** The sealed application/ipp answer, never opened here. */
  readonly sealed: Uint8Array;
}

/** Where owners' requests wait for devices' answers. */
export interface EncryptedRequestLog {
  /** Requests waiting on output devices of `queue` (for printer-state-reasons). */
  countFor(queue: string): Promise<number>;
  open(fields: Omit<EncryptedRequest, 'id' | 'createdAt' | 'fetched'>, timeoutMs: number, onCreated: (request: EncryptedRequest) => void): Promise<EncryptedAnswer | undefined>;
  /** A request still waiting for its answer. */
  get(id: number): Promise<EncryptedRequest | undefined>;
  forDevice(device: string): Promise<EncryptedRequest[]>;
  /** Records that the device fetched it. */
  markFetched(id: number): Promise<void>;
  /** Completes the owner's waiting request; false when it is gone (timed out, unknown). */
  answer(id: number, answer: EncryptedAnswer): Promise<boolean>;
  /** Ends every wait (shutdown): the owners get the timeout status. */
  close(): void;
}

interface Pending {
  request: EncryptedRequest;
  readonly settle: (answer: EncryptedAnswer | undefined) => void;
}

export class EncryptedRequests implements EncryptedRequestLog {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly maxPending = 256) {}

  get size(): number {
    return this.pending.size;
  }

  async countFor(queue: string): Promise<number> {
    let n = 0;
    for (const p of this.pending.values()) if (p.request.queue === queue) n++;
    return n;
  }

  open(
    fields: Omit<EncryptedRequest, 'id' | 'createdAt' | 'fetched'>,
    timeoutMs: number,
    onCreated: (request: EncryptedRequest) => void,
  ): Promise<EncryptedAnswer | undefined> {
    if (this.pending.size >= this.maxPending) return Promise.resolve(undefined);
    const request: EncryptedRequest = { ...fields, id: this.nextId++, createdAt: Date.now(), fetched: false };
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(undefined), timeoutMs);
      const settle = (answer: EncryptedAnswer | undefined): void => {
        clearTimeout(timer);
        this.pending.delete(request.id);
        resolve(answer);
      };
      this.pending.set(request.id, { request, settle });
      onCreated(request);
    });
  }

  async get(id: number): Promise<EncryptedRequest | undefined> {
    return this.pending.get(id)?.request;
  }

  async forDevice(device: string): Promise<EncryptedRequest[]> {
    return [...this.pending.values()].map((p) => p.request).filter((r) => r.device === device);
  }

  async markFetched(id: number): Promise<void> {
    const p = this.pending.get(id);
    if (p) p.request = { ...p.request, fetched: true };
  }

  async answer(id: number, answer: EncryptedAnswer): Promise<boolean> {
    const p = this.pending.get(id);
    if (!p) return false;
    p.settle(answer);
    return true;
  }

  close(): void {
    for (const p of [...this.pending.values()]) p.settle(undefined);
  }
}
