/**
 * A pool member's side of the pool ledger (ledger-server.ts, docs/decisions.md D32): HTTPS with
 * the member's own client certificate, the ledger verified against the pool CA and its host name.
 * Answers are bounded (4 KiB) and time out; anything unexpected is PRINTER_POOL_LEDGER_UNAVAILABLE, which
 * the member treats as "do not print" (fail closed).
 */
import { Agent, request } from 'node:https';
import { PrinterError } from '../errors.js';
import type { ClaimOutcome } from './ledger-store.js';

const MAX_ANSWER = 4096;

export interface PoolLedgerSettings {
  /** https://host:port of the ledger. */
  readonly url: string;
  /** PEM CA certificate(s) the ledger's TLS certificate must chain to. */
  readonly ca: string;
  /** This member's client certificate and key (PEM): its identity at the ledger. */
  readonly cert: string;
  readonly key: string;
  /** How long one request may take (default 5 s). */
  readonly timeoutMs?: number;
  /** How long a claim keeps retrying an unreachable ledger before the job is refused (default 15 s). */
  readonly waitMs?: number;
}

export class PoolLedgerClient {
  readonly #url: URL;
  readonly #agent: Agent;
  readonly #timeoutMs: number;
  readonly waitMs: number;

  constructor(s: PoolLedgerSettings) {
    try {
      this.#url = new URL(s.url);
    } catch {
      throw new PrinterError('PRINTER_POOL_LEDGER', `the pool ledger URL ${s.url.slice(0, 200)} is not a URL`);
    }
    if (this.#url.protocol !== 'https:') throw new PrinterError('PRINTER_POOL_LEDGER', `the pool ledger URL must be https://, got ${this.#url.protocol}`);
    this.#agent = new Agent({ ca: s.ca, cert: s.cert, key: s.key, keepAlive: true, maxSockets: 4, minVersion: 'TLSv1.2' });
    this.#timeoutMs = s.timeoutMs ?? 5000;
    this.waitMs = s.waitMs ?? 15_000;
  }

  get url(): string {
    return this.#url.origin;
  }

  /** One claim; throws PRINTER_POOL_LEDGER_UNAVAILABLE on any failure (no retry here). */
  async claimOnce(claim: string): Promise<ClaimOutcome> {
    const a = await this.#exchange('POST', '/claim', JSON.stringify({ claim }));
    const outcome = (a as { outcome?: unknown }).outcome;
    if (outcome !== 'claimed' && outcome !== 'mine' && outcome !== 'taken') throw new PrinterError('PRINTER_POOL_LEDGER_UNAVAILABLE', 'the pool ledger gave no outcome');
    return outcome;
  }

  /** Claims `claim`, retrying an unreachable ledger with backoff for up to waitMs. */
  async claim(claim: string): Promise<ClaimOutcome> {
    const until = Date.now() + this.waitMs;
    let delay = 250;
    for (;;) {
      try {
        return await this.claimOnce(claim);
      } catch (err) {
        if (Date.now() + delay > until) throw err;
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 2000);
      }
    }
  }

  /** True when the ledger answers and accepts this member now. */
  async healthy(): Promise<boolean> {
    return this.#exchange('GET', '/health').then(
      () => true,
      () => false,
    );
  }

  close(): void {
    this.#agent.destroy();
  }

  #exchange(method: 'GET' | 'POST', path: string, body?: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const fail = (why: string, cause?: unknown) => reject(new PrinterError('PRINTER_POOL_LEDGER_UNAVAILABLE', `the pool ledger at ${this.#url.origin} ${why}`, cause === undefined ? undefined : { cause }));
      const req = request(
        new URL(path, this.#url),
        { method, agent: this.#agent, timeout: this.#timeoutMs, headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {} },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
            if (text.length > MAX_ANSWER) req.destroy(new Error(`answered more than ${MAX_ANSWER} bytes`));
          });
          res.on('end', () => {
            if (res.statusCode !== 200) return fail(`answered HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
            try {
              resolve(JSON.parse(text));
            } catch (err) {
              fail('answered something that is not JSON', err);
            }
          });
          res.on('error', (err) => fail(`failed: ${err.message}`, err));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`did not answer within ${this.#timeoutMs} ms`)));
      req.on('error', (err) => fail(`cannot be reached: ${err.message}`, err));
      req.end(body);
    });
  }
}
