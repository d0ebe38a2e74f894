/**
 * The printer emulator as a PWG 5100.18 Proxy (`tno printer --proxy URL`): it needs no inbound
 * connectivity. It registers as an output device, reports its printer attributes (so clients seal
 * to its key through the Infrastructure Printer), subscribes, primes its queue with Get-Jobs
 * which-jobs=fetchable and then long-polls Get-Notifications. Each job is fetched, acknowledged,
 * handed to this printer's own pipeline (local-printer.ts) document by document, and its state
 * reported back with Update-Job-Status / Update-Document-Status until it is final. Owners'
 * Get-Encrypted-Job-Attributes requests are collected (Fetch-Encrypted-Job-Attributes) and
 * answered by the printer's own 0x006A handler (Acknowledge-Encrypted-Job-Attributes).
 *
 * Failures of the connection are retried with bounded exponential backoff and jitter (backoff.ts); a restarted Infrastructure
 * Printer is met by subscribing again and re-priming; a restart of this printer never fetches or
 * prints a job twice (proxy-state.ts).
 */
import { join } from 'node:path';
import { enumValue, GroupTag, IppEnum, IppOperation, IppStatus, isSuccessful, type IppAttribute } from '@trustnoone/ipp';
import type { CredentialSource, HttpCredentials, IppTlsOptions } from '@trustnoone/ipp-http/client';
import type { PrinterHandle } from '../app.js';
import { jobStateCode, type Job, type JobState } from '../jobs/job.js';
import { jobPaths } from '../state/state-dir.js';
import { call, exchange, InfraStatusError, int, str, v, type InfraConnection } from './infra-client.js';
import { deviceCounters } from './job-counters.js';
import { LocalPrinter } from './local-printer.js';
import { PoolReplayCache } from '../pool/pool-replay.js';
import { ProxyState, type ProxyJob } from './proxy-state.js';
import { Backoff } from './backoff.js';
import { readFile } from 'node:fs/promises';

export interface ProxyOptions {
  /** The Infrastructure Printer's queue URI (ipp:// or ipps://…/ipp/print). */
  readonly url: string;
  /** Its System object URI; default: the same origin with path /ipp/system. */
  readonly systemUrl?: string;
  /** Basic credentials, or a source asked before each request (an OAuth client-credentials token). */
  readonly auth?: HttpCredentials | CredentialSource;
  readonly tls?: IppTlsOptions;
  /** Where the Proxy records its device uuid and jobs; default `<printer state>/proxy.json`. */
  readonly stateFile?: string;
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** Per-request timeout; must exceed the server's notify-wait hold (default 75 s). */
  readonly requestTimeoutMs?: number;
}

export interface RunningProxy {
  readonly deviceUuid: string;
  /** Connected, registered and subscribed right now. */
  readonly connected: boolean;
  stop(): Promise<void>;
}

const EVENTS = ['job-fetchable', 'job-state-changed', 'printer-state-changed'];
const SUBSCRIPTION_GONE = IppStatus.clientErrorNotFound;
const NOT_FETCHABLE = IppStatus.clientErrorNotFetchable;

export interface ProxyLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export async function startProxy(printer: PrinterHandle, options: ProxyOptions): Promise<RunningProxy> {
  const state = await ProxyState.open(options.stateFile ?? join(printer.runtime.layout.root, 'proxy.json'));
  const proxy = new Proxy(printer, options, state, printer.runtime.log);
  proxy.start();
  return {
    deviceUuid: state.deviceUuid,
    get connected() {
      return proxy.connected;
    },
    stop: () => proxy.stop(),
  };
}

function systemUrlFor(url: string): string {
  const u = new URL(url);
  u.pathname = '/ipp/system';
  return u.href;
}

class Proxy {
  connected = false;
  private readonly c: InfraConnection;
  private readonly local: LocalPrinter;
  private readonly backoff: Backoff;
  private readonly stopping = new AbortController();
  private loop: Promise<void> = Promise.resolve();
  /** Jobs to try, in arrival order, handled one at a time as a single-engine printer does. */
  private readonly todo: number[] = [];
  private wakeWorker: (() => void) | undefined;
  private worker: Promise<void> = Promise.resolve();
  private readonly answering = new Set<number>();
  private readonly canceling = new Set<number>();
  /** Jobs whose local printing someone here is following (to report their end). */
  private readonly following = new Set<number>();
  /** Final reports in flight, by Infrastructure Printer job id (each job's end is reported once). */
  private readonly finalReports = new Map<number, Promise<void>>();

  constructor(
    printer: PrinterHandle,
    private readonly o: ProxyOptions,
    private readonly state: ProxyState,
    private readonly log: ProxyLog,
  ) {
    this.local = new LocalPrinter(printer);
    this.backoff = new Backoff({ initialMs: o.retryInitialMs ?? 500, maxMs: o.retryMaxMs ?? 10_000 });
    this.c = {
      printerUri: o.url,
      systemUri: o.systemUrl ?? systemUrlFor(o.url),
      deviceUuid: state.deviceUuid,
      ...(o.auth ? { auth: o.auth } : {}),
      ...(o.tls ? { tls: o.tls } : {}),
      timeoutMs: o.requestTimeoutMs ?? 75_000,
    };
  }

  start(): void {
    this.loop = this.run();
    this.worker = this.work();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.wakeWorker?.();
    await Promise.allSettled([this.loop, this.worker]);
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const signal = this.stopping.signal;
      function done(): void {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }

  // ---- connection loop ----------------------------------------------------------------------

  private async run(): Promise<void> {
    // Reset only by a poll that was answered (listen): a link that lets the device register but
    // fails every poll, or a token endpoint that is down, keeps the waits growing (D40).
    while (!this.stopped) {
      try {
        const sub = await this.connect();
        await this.listen(sub);
      } catch (err) {
        this.connected = false;
        if (this.stopped) return;
        const gone = err instanceof InfraStatusError && err.status === SUBSCRIPTION_GONE;
        const delay = gone ? 0 : this.backoff.next();
        this.log.warn({ err: (err as Error).message, retryMs: delay }, 'proxy: connection to the Infrastructure Printer lost');
        if (!gone) await this.sleep(delay);
      }
    }
  }

  /** Register, report attributes, subscribe, then recover and prime. Returns the subscription id. */
  private async connect(): Promise<number> {
    await call(this.c, IppOperation.registerOutputDevice, [], { system: true });
    const attrs = await this.local.printerAttributes();
    await call(this.c, IppOperation.updateOutputDeviceAttributes, [], { groups: [{ tag: GroupTag.printer, attributes: attrs }] });
    const m = await call(this.c, IppOperation.createPrinterSubscriptions, [], {
      groups: [{ tag: GroupTag.subscription, attributes: [v.keyword('notify-pull-method', 'ippget'), v.keyword('notify-events', ...EVENTS)] }],
    });
    const sub = int(m, GroupTag.subscription, 'notify-subscription-id');
    if (sub === undefined) throw new Error('Create-Printer-Subscriptions returned no notify-subscription-id');
    this.connected = true;
    this.log.info({ device: this.c.deviceUuid, subscription: sub }, 'proxy: registered and subscribed');
    await this.recover();
    await this.prime();
    return sub;
  }

  /** Get-Jobs which-jobs=fetchable: jobs that arrived while we were away (no event will come). */
  private async prime(): Promise<void> {
    const m = await call(this.c, IppOperation.getJobs, [v.keyword('which-jobs', 'fetchable'), v.keyword('requested-attributes', 'job-id')]);
    for (const g of m.groups) {
      if (g.tag !== GroupTag.job) continue;
      const id = g.attributes.find((a) => a.name === 'job-id')?.values[0];
      if (id?.tag === 'integer') this.enqueue(id.value);
    }
  }

  private async listen(sub: number): Promise<void> {
    let next = 1;
    while (!this.stopped) {
      // A signal per poll, tied to ours: the transport never removes its abort listener, and one
      // per poll on a long-lived signal would pile up.
      const poll = new AbortController();
      const onStop = (): void => poll.abort();
      this.stopping.signal.addEventListener('abort', onStop, { once: true });
      let a;
      try {
        a = await exchange(this.c, IppOperation.getNotifications, [v.integer('notify-subscription-ids', sub), v.integer('notify-sequence-numbers', next), v.boolean('notify-wait', true)], {
          signal: poll.signal,
        });
      } finally {
        this.stopping.signal.removeEventListener('abort', onStop);
      }
      a.data.resume();
      if (!isSuccessful(a.status)) throw new InfraStatusError(a.status, 'Get-Notifications', undefined);
      this.backoff.reset();
      let seen = 0;
      for (const g of a.message.groups) {
        if (g.tag !== GroupTag.eventNotification) continue;
        seen++;
        const get = (name: string): IppAttribute | undefined => g.attributes.find((x) => x.name === name);
        const num = (name: string): number | undefined => {
          const x = get(name)?.values[0];
          return x && (x.tag === 'integer' || x.tag === 'enum') ? x.value : undefined;
        };
        const seq = num('notify-sequence-number');
        if (seq !== undefined) next = Math.max(next, seq + 1);
        const event = get('notify-subscribed-event')?.values[0];
        const name = event && 'value' in event ? event.value : undefined;
        const jobId = num('job-id');
        const reasons = (get('job-state-reasons')?.values ?? []).map((x) => ('value' in x ? String(x.value) : ''));
        if (name === 'job-fetchable' && jobId !== undefined) this.enqueue(jobId);
        else if (name === 'job-state-changed' && jobId !== undefined && reasons.includes('processing-to-stop-point')) void this.cancelLocal(jobId);
        else if (name === 'printer-state-changed') {
          const requestId = num('encrypted-job-request-id');
          if (requestId !== undefined) void this.answerEncrypted(requestId);
        }
      }
      // A quiet poll: re-check for jobs we may have missed and jobs canceled while we were away.
      if (seen === 0) {
        await this.recover(); // reports an exchange failed to deliver are retried here too
        await this.prime();
        await this.updateActiveJobs();
      }
    }
  }

  // ---- jobs ---------------------------------------------------------------------------------

  private enqueue(jobId: number): void {
    const known = this.state.get(jobId);
    if (this.todo.includes(jobId) || (known && known.phase !== 'claimed')) return;
    this.todo.push(jobId);
    this.wakeWorker?.();
  }

  private async work(): Promise<void> {
    while (!this.stopped) {
      const id = this.todo.shift();
      if (id === undefined) {
        await new Promise<void>((r) => (this.wakeWorker = r));
        this.wakeWorker = undefined;
        continue;
      }
      // A job held at the printer for its release code (PIN release) may wait for hours: once it
      // is held, the next job is taken while this one waits in the background for its end.
      let held: () => void = () => undefined;
      const heldNow = new Promise<void>((r) => (held = r));
      const taking = this.take(id, held).catch((err: unknown) => this.log.warn({ jobId: id, err: (err as Error).message }, 'proxy: job not taken'));
      await Promise.race([taking, heldNow]);
    }
  }

  /** Fetch-Job → record → Acknowledge-Job → documents → local pipeline → final report. */
  private async take(jobId: number, onHeld: () => void): Promise<void> {
    const known = this.state.get(jobId);
    if (known && known.phase !== 'claimed') return; // never twice
    const pool = this.local.printer.runtime.replay;
    if (pool instanceof PoolReplayCache && !(await pool.healthy())) {
      // A pool member that cannot reach its ledger could not print the job (fail closed): it
      // leaves it to the members that can, and looks again at its next quiet poll (D32).
      this.log.warn({ jobId }, 'proxy: the pool ledger does not answer; not taking jobs');
      return;
    }
    let job;
    try {
      job = await call(this.c, IppOperation.fetchJob, [v.integer('job-id', jobId)]);
    } catch (err) {
      // Another device was faster, or (for our own claim) the job ended meanwhile.
      if (err instanceof InfraStatusError && err.status === NOT_FETCHABLE) {
        if (known) await this.state.forget(jobId);
        return;
      }
      throw err;
    }
    const uuid = str(job, GroupTag.job, 'job-uuid') ?? '';
    const record: ProxyJob = known ?? { infraJobId: jobId, jobUuid: uuid, phase: 'claimed', updatedAt: Date.now() };
    if (!known) await this.state.put(record);
    try {
      await call(this.c, IppOperation.acknowledgeJob, [v.integer('job-id', jobId)]);
    } catch (err) {
      if (err instanceof InfraStatusError && err.status === NOT_FETCHABLE) {
        await this.state.forget(jobId);
        return;
      }
      throw err; // stays 'claimed': resumed after reconnecting
    }
    this.log.info({ jobId }, 'proxy: job acknowledged');
    this.following.add(jobId);
    try {
      await this.print(record, job, onHeld);
    } finally {
      this.following.delete(jobId);
    }
  }

  private async print(record: ProxyJob, job: Awaited<ReturnType<typeof call>>, onHeld: () => void): Promise<void> {
    const jobId = record.infraJobId;
    const owner = str(job, GroupTag.job, 'job-originating-user-name') ?? 'anonymous';
    const documents = int(job, GroupTag.job, 'number-of-documents') ?? 1;
    const created = await this.local.ipp(IppOperation.createJob, [v.name('requesting-user-name', owner), v.name('job-name', str(job, GroupTag.job, 'job-name') ?? 'encrypted job')]);
    const localJobId = int(created.message, GroupTag.job, 'job-id');
    if (!isSuccessful(created.status) || localJobId === undefined) {
      await this.finishWith(record, IppEnum.jobState.aborted, ['aborted-by-system'], 'the printer refused the job');
      return;
    }
    record.localJobId = localJobId;
    record.phase = 'submitting';
    await this.state.put(record);
    // RFC 8011 job-incoming: the printer is receiving the job's documents (fetching them here).
    await this.report(jobId, IppEnum.jobState.processing, ['job-incoming'], 'Fetching the job.');
    const stopMirror = this.mirrorLocalState(jobId, localJobId);
    let refused: string | undefined;
    let ended: Job | undefined;
    try {
      for (let n = 1; n <= documents && refused === undefined; n++) {
        const doc = await exchange(this.c, IppOperation.fetchDocument, [v.integer('job-id', jobId), v.integer('document-number', n)]);
        if (!isSuccessful(doc.status)) {
          doc.data.resume();
          refused = `document ${n} could not be fetched (status 0x${doc.status.toString(16)})`;
          break;
        }
        let transferFailed: Error | undefined;
        doc.data.once('error', (e: Error) => (transferFailed = e));
        const format = str(doc.message, GroupTag.operation, 'document-format') ?? 'application/octet-stream';
        const request = str(doc.message, GroupTag.operation, 'encrypted-job-request-format');
        const ops: IppAttribute[] = [
          v.integer('job-id', localJobId),
          v.name('requesting-user-name', owner),
          v.boolean('last-document', n === documents),
          { name: 'document-format', values: [{ tag: 'mimeMediaType', value: format }] },
          ...(request ? [{ name: 'encrypted-job-request-format', values: [{ tag: 'mimeMediaType' as const, value: request }] }] : []),
        ];
        let sent;
        try {
          sent = await this.local.ipp(IppOperation.sendDocument, ops, doc.data);
        } catch (err) {
          if (!transferFailed) throw err;
          sent = { status: IppStatus.serverErrorInternalError };
        }
        if (transferFailed && n === 1) {
          // The envelope arrived truncated: its GCM tag could not verify, so nothing was opened or
          // printed. Fetching it again is safe (the same holds for no later document).
          await this.local.finished(localJobId, this.stopping.signal);
          delete record.localJobId;
          record.phase = 'claimed';
          await this.state.put(record);
          setTimeout(() => this.enqueue(jobId), this.o.retryInitialMs ?? 500).unref();
          throw new Error(`document 1 transfer failed, will fetch again: ${(transferFailed as Error).message}`);
        }
        if (!isSuccessful(sent.status) && sent.status !== IppStatus.clientErrorDocumentSecurityError && sent.status !== IppStatus.clientErrorDocumentPasswordError) refused = `document ${n} refused by the printer (status 0x${sent.status.toString(16)})`;
        await call(this.c, IppOperation.acknowledgeDocument, [v.integer('job-id', jobId), v.integer('document-number', n)]);
        if (!isSuccessful(sent.status)) break;
      }
      if (this.local.printer.runtime.store.get(localJobId)?.state === 'pending-held') onHeld();
      ended = await this.local.finished(localJobId, this.stopping.signal);
    } finally {
      await stopMirror();
    }
    if (this.stopped && ended && !ended.finalized) return; // reported after our restart, from the manifest
    const final = ended ? { state: jobStateCode(ended.state), reasons: [...ended.reasons], message: ended.stateMessage } : { state: IppEnum.jobState.aborted, reasons: ['aborted-by-system'], message: 'lost' };
    if (refused && final.state === IppEnum.jobState.completed) {
      // Part of the job printed; what the printer could not take is not silently dropped.
      final.state = IppEnum.jobState.aborted;
      final.reasons = ['aborted-by-system'];
      final.message = refused;
    }
    for (let n = 1; n <= documents; n++) {
      await call(this.c, IppOperation.updateDocumentStatus, [v.integer('job-id', jobId), v.integer('document-number', n)], {
        groups: [{ tag: GroupTag.document, attributes: [v.enum('output-device-document-state', final.state)] }],
      }).catch((err: unknown) => this.log.warn({ jobId, err: (err as Error).message }, 'proxy: document status not reported'));
    }
    await this.finishWith(record, final.state, final.reasons, final.message);
  }

  /**
   * Reports the local job's non-final state changes (opening, printing) as they happen, newest
   * first and one at a time: a burst of changes costs one Update-Job-Status, not one each.
   */
  private mirrorLocalState(jobId: number, localJobId: number): () => Promise<void> {
    let latest: { state: number; reasons: string[]; message: string } | undefined;
    let sent = '';
    let sending = false;
    let inFlight: Promise<void> = Promise.resolve();
    const flush = async (): Promise<void> => {
      if (sending) return;
      sending = true;
      try {
        while (latest) {
          const next = latest;
          latest = undefined;
          const key = JSON.stringify(next);
          if (key === sent || next.state >= IppEnum.jobState.canceled) continue;
          await this.report(jobId, next.state, next.reasons, next.message).catch((err: unknown) => this.log.warn({ jobId, err: (err as Error).message }, 'proxy: job state not reported'));
          sent = key;
        }
      } finally {
        sending = false;
      }
    };
    const off = this.local.printer.runtime.store.onChange((j) => {
      if (j.id !== localJobId) return;
      // Queued or receiving here is still "processing" for the Infrastructure Printer: the device has it.
      latest = { state: Math.max(IppEnum.jobState.processing, jobStateCode(j.state)), reasons: [...j.reasons], message: j.stateMessage };
      if (!sending) inFlight = flush();
    });
    // Stops mirroring and lets a report in flight land before the final one is sent.
    return async () => {
      off();
      latest = undefined;
      await inFlight;
    };
  }

  /**
   * The final report, once per job: a quiet poll's recovery (or a follower) that comes while the
   * report is in flight waits for that one instead of sending its own, and a job already
   * reported is not reported again.
   */
  private finishWith(record: ProxyJob, state: number, reasons: string[], message: string): Promise<void> {
    const jobId = record.infraJobId;
    const inFlight = this.finalReports.get(jobId);
    if (inFlight) return inFlight;
    if (record.phase === 'reported' || this.state.get(jobId)?.phase === 'reported') return Promise.resolve();
    const sending = this.sendFinal(record, state, reasons, message).finally(() => this.finalReports.delete(jobId));
    this.finalReports.set(jobId, sending);
    return sending;
  }

  private async sendFinal(record: ProxyJob, state: number, reasons: string[], message: string): Promise<void> {
    record.phase = 'finished';
    record.final = { state, reasons: reasons.length ? reasons : ['none'], message };
    await this.state.put(record);
    await this.report(record.infraJobId, state, record.final.reasons, message);
    record.phase = 'reported';
    await this.state.put(record);
    this.log.info({ jobId: record.infraJobId, state }, 'proxy: final job state reported');
  }

  private async report(jobId: number, state: number, reasons: readonly string[], message: string): Promise<void> {
    const localJobId = this.state.get(jobId)?.localJobId;
    const counters = deviceCounters(localJobId !== undefined ? this.local.job(localJobId) : undefined);
    await call(this.c, IppOperation.updateJobStatus, [v.integer('job-id', jobId)], {
      groups: [
        {
          tag: GroupTag.job,
          attributes: [
            v.enum('output-device-job-state', state),
            v.keyword('output-device-job-state-reasons', ...(reasons.length ? reasons : ['none'])),
            v.text('output-device-job-state-message', message.slice(0, 255)),
            ...counters,
          ],
        },
      ],
    });
  }

  /**
   * After reconnecting (either side restarted): 'claimed' jobs resume — nothing reached the printer;
   * 'submitting' jobs are never sent again — a written manifest says how they ended, otherwise they
   * are reported aborted; 'finished' jobs get their final report (again).
   */
  private async recover(): Promise<void> {
    for (const r of this.state.list()) {
      if (r.phase === 'reported') continue;
      const local = r.localJobId !== undefined ? this.local.job(r.localJobId) : undefined;
      if (r.phase === 'submitting' && local && !local.finalized && local.reasons.has('job-data-insufficient')) {
        // This printer restarted and carried the job on (jobs/job-recovery.ts) but holds only the
        // documents it received whole. None: nothing was opened or printed, so fetching it again
        // is safe; some: the rest will not come from here, so the job ends (never printed twice).
        const none = local.documentsReceived === 0;
        const rt = this.local.printer.runtime;
        rt.store.transition(local, none ? 'canceled' : 'aborted', none ? 'Fetched again after a printer restart.' : 'The printer restarted while receiving the job.', { add: [none ? 'job-canceled-by-operator' : 'aborted-by-system'], remove: ['job-data-insufficient'] });
        await rt.processor.finish(local, { error: 'PRINTER_RESTARTED' });
        if (none) {
          delete r.localJobId;
          await this.state.put({ ...r, phase: 'claimed' });
          this.enqueue(r.infraJobId);
          continue;
        }
      }
      const printing = local !== undefined && !local.finalized;
      if (printing) {
        // Still printing here; if the exchange that was following it failed, follow it again.
        if (!this.following.has(r.infraJobId)) this.follow(r);
        continue;
      }
      try {
        if (r.phase === 'claimed') this.enqueue(r.infraJobId); // nothing reached the printer: resume
        else if (r.phase === 'submitting') {
          const final = await this.manifestFinal(r.localJobId);
          await this.finishWith(r, final.state, final.reasons, final.message);
        } else if (r.phase === 'finished' && r.final) {
          await this.finishWith(r, r.final.state, r.final.reasons, r.final.message);
        }
      } catch (err) {
        if (err instanceof InfraStatusError && (err.status === NOT_FETCHABLE || err.status === IppStatus.clientErrorNotFound)) {
          await this.state.put({ ...r, phase: 'reported' });
          continue;
        }
        throw err;
      }
    }
  }

  /** Reports a local job's end once it comes (after the exchange that started it failed). */
  private follow(r: ProxyJob): void {
    this.following.add(r.infraJobId);
    void this.local
      .finished(r.localJobId!, this.stopping.signal)
      .then(async (j) => {
        if (this.stopped) return;
        const final = j?.finalized ? { state: jobStateCode(j.state), reasons: [...j.reasons], message: j.stateMessage } : await this.manifestFinal(r.localJobId);
        await this.finishWith(r, final.state, final.reasons, final.message);
      })
      .catch((err: unknown) => this.log.warn({ jobId: r.infraJobId, err: (err as Error).message }, 'proxy: final state not reported yet (retried on reconnect)'))
      .finally(() => this.following.delete(r.infraJobId));
  }

  private async manifestFinal(localJobId: number | undefined): Promise<{ state: number; reasons: string[]; message: string }> {
    if (localJobId !== undefined) {
      try {
        const m = JSON.parse(await readFile(jobPaths(this.local.printer.runtime.layout, localJobId).manifest, 'utf8')) as { state: JobState; stateReasons: string[] };
        const state = enumValue('job-state', m.state);
        if (state !== undefined && state >= IppEnum.jobState.canceled) return { state, reasons: m.stateReasons, message: 'Ended before the printer restarted.' };
      } catch {
        // No manifest: the job did not finish before the restart.
      }
    }
    return { state: IppEnum.jobState.aborted, reasons: ['aborted-by-system'], message: 'The printer restarted while processing; not printed again (no duplicates).' };
  }

  /** Update-Active-Jobs: learn of cancels we missed (and jobs the other side no longer has). */
  private async updateActiveJobs(): Promise<void> {
    const active = this.state.list().filter((r) => r.phase === 'submitting' && r.localJobId !== undefined);
    const ids = active.map((r) => r.infraJobId);
    const states = active.map((r) => {
      const j = this.local.job(r.localJobId!);
      return j ? jobStateCode(j.state) : IppEnum.jobState.processing;
    });
    const m = await call(this.c, IppOperation.updateActiveJobs, ids.length ? [v.integer('job-ids', ...ids), v.enum('output-device-job-states', ...states)] : []);
    const outIds = m.groups[0]?.attributes.find((a) => a.name === 'job-ids')?.values ?? [];
    const outStates = m.groups[0]?.attributes.find((a) => a.name === 'output-device-job-states')?.values ?? [];
    outIds.forEach((x, i) => {
      const s = outStates[i];
      if (x.tag === 'integer' && s && (s.tag === 'enum' || s.tag === 'integer') && s.value === IppEnum.jobState.canceled) void this.cancelLocal(x.value);
    });
  }

  private async cancelLocal(infraJobId: number): Promise<void> {
    const r = this.state.get(infraJobId);
    if (!r || r.localJobId === undefined || this.canceling.has(infraJobId)) return;
    const j: Job | undefined = this.local.job(r.localJobId);
    if (!j || j.finalized) return;
    this.canceling.add(infraJobId);
    try {
      await this.local.ipp(IppOperation.cancelJob, [v.integer('job-id', r.localJobId), v.name('requesting-user-name', j.owner)]);
      this.log.info({ jobId: infraJobId }, 'proxy: job canceled at the Infrastructure Printer, canceled here');
    } finally {
      this.canceling.delete(infraJobId);
    }
  }

  // ---- Get-Encrypted-Job-Attributes ---------------------------------------------------------

  private async answerEncrypted(requestId: number): Promise<void> {
    if (this.answering.has(requestId)) return;
    this.answering.add(requestId);
    try {
      const req = await call(this.c, IppOperation.fetchEncryptedJobAttributes, [v.integer('encrypted-job-request-id', requestId)]);
      const op = req.groups[0]?.attributes ?? [];
      const jobId = int(req, GroupTag.operation, 'job-id');
      const record = jobId !== undefined ? this.state.get(jobId) : undefined;
      const pass = op.filter((a) => ['requesting-user-name', 'requested-attributes', 'requesting-user-pkcs7-public-key', 'encrypted-job-attributes-nonce'].includes(a.name));
      let status: number = IppStatus.clientErrorNotFound;
      let sealed: Buffer = Buffer.alloc(0);
      let message: string | undefined = 'the printer no longer has this job';
      if (record?.localJobId !== undefined && this.local.job(record.localJobId)) {
        // The printer's own 0x006A handler: ownership check, selection, seal to the owner, sign.
        const a = await this.local.ipp(IppOperation.getEncryptedJobAttributes, [v.integer('job-id', record.localJobId), ...pass]);
        status = a.status;
        sealed = a.data;
        message = status === 0 ? undefined : (str(a.message, GroupTag.operation, 'status-message') ?? 'refused by the printer');
      }
      await call(this.c, IppOperation.acknowledgeEncryptedJobAttributes, [v.integer('encrypted-job-request-id', requestId), ...(status === 0 ? [] : [v.enum('fetch-status-code', status), v.text('fetch-status-message', message ?? '')])], {
        data: sealed,
      });
      this.log.info({ jobId, requestId, status }, 'proxy: encrypted job attributes answered');
    } catch (err) {
      this.log.warn({ requestId, err: (err as Error).message }, 'proxy: encrypted job attributes request not answered');
    } finally {
      this.answering.delete(requestId);
    }
  }
}
