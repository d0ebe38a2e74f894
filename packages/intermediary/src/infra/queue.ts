/**
 * The Infrastructure Printer's queue (PWG 5100.18): jobs committed to the spool become fetchable
 * by the output devices registered for the queue, instead of being pushed to an upstream printer.
 * It takes the forwarder's place in the Service (kick/stop/idle), so submission, cancel, Get-Jobs
 * and Get-Job-Attributes work unchanged; each registered device is also presented as an Upstream
 * so Get-Printer-Attributes and Get-Encrypted-Job-Attributes reach "the printer" the same way in
 * push and pull mode.
 *
 * All job state lives in the spool's JobStatus, written atomically before it is visible:
 *   pending + job-fetchable  →  Acknowledge-Job binds forward.upstream = the device's urn:uuid
 *   (first acknowledgement wins; the update runs serialised per job) → the device's
 *   Update-Job-Status reports move the state → a terminal report ends the job and drops its bytes.
 * A restart therefore resumes each job at the step the disk recorded.
 */
import { Readable } from 'node:stream';
import { GroupTag, IppOperation, IppStatus, type IppAttribute, type IppMessage } from '@trustnoone/ipp';
import { attr, findAttribute, integerValue, keywords } from '../attrs.js';
import type { JobEntry, JobTable } from '../jobs.js';
import { JobState, isTerminal, type JobStateValue, type JobStatus, type Spool } from '../spool/types.js';
import type { Upstream, UpstreamAnswer } from '../upstream/client.js';
import { DeviceRegistry, FileDeviceStore, type OutputDevice } from './devices.js';
import { EncryptedRequests, type EncryptedRequestLog } from './encrypted-requests.js';
import { EventHub, type EventLog, type InfraEventRecord } from './events.js';

export interface InfraOptions {
  /** Where devices.json lives (under `<stateDir>/infra`); omitted = devices are forgotten on restart. */
  readonly stateDir?: string;
  /** Users of the users file that may register output devices (operators always may). */
  readonly deviceUsers?: readonly string[];
  /** Admit unauthenticated output devices (loopback demos only: anyone could take jobs). */
  readonly allowAnonymousDevices?: boolean;
  /** Path of the System object for Register-/Deregister-Output-Device (default /ipp/system). */
  readonly systemPath?: string;
  /** Longest Get-Notifications notify-wait hold (default 30 s). */
  readonly maxNotifyWaitMs?: number;
  /** How long an owner's Get-Encrypted-Job-Attributes waits for the device (default 20 s). */
  readonly encryptedAttributesTimeoutMs?: number;
  /** Largest sealed Acknowledge-Encrypted-Job-Attributes answer accepted (default 1 MiB). */
  readonly maxEncryptedAnswerBytes?: number;
  /**
   * A device silent this long (no request at all; a Proxy long-polls far more often) loses its
   * unfinished jobs. One it never fetched a document of cannot have printed there and is offered
   * to the queue's devices again; one it did fetch ends aborted with a message rather than stay
   * processing forever, and is not re-offered: the silent device may have printed it. Default 15 min.
   */
  readonly deviceTimeoutMs?: number;
}

export interface InfraLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Thrown inside a serialised status update when the job cannot be bound to the device. */
export class NotFetchable extends Error {}

const SERVICE_UNAVAILABLE = IppStatus.serverErrorServiceUnavailable;

export class InfraQueue {
  readonly registry: DeviceRegistry;
  /** Subscriptions and events: the shared store's when there is one (any instance answers a device). */
  readonly hub: EventLog;
  readonly requests: EncryptedRequestLog;
  /** Events are numbered in the store: an instance only publishes the changes it made itself. */
  private readonly sharedEvents: boolean;
  /** One Upstream per registered device, kept in registration order (Service.upstreams). */
  readonly upstreams: Upstream[] = [];
  /** Part of the forwarder's contract; pull mode has no upstream to be unreachable. */
  readonly unreachable = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;
  /** When each device last made a request (since this process started). */
  private readonly lastSeen = new Map<string, number>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    readonly table: JobTable,
    readonly spool: Spool,
    /** The printer object path this queue is (e.g. /ipp/print). */
    readonly queue: string,
    readonly options: InfraOptions,
    readonly log: InfraLog,
  ) {
    this.hub = spool.infra?.events ?? new EventHub();
    this.requests = spool.infra?.requests ?? new EncryptedRequests();
    this.sharedEvents = spool.infra !== undefined;
    this.registry = new DeviceRegistry(spool.devices ?? (options.stateDir !== undefined ? new FileDeviceStore(options.stateDir) : undefined));
  }

  async load(): Promise<void> {
    await this.registry.load();
    this.syncUpstreams();
    const timeout = this.options.deviceTimeoutMs ?? 15 * 60_000;
    const started = Date.now();
    this.sweeper = setInterval(() => void this.sweep(timeout, started), Math.max(20, Math.min(timeout / 4, 30_000)));
    this.sweeper.unref();
  }

  /** Called for every authenticated device request. */
  seen(device: string): void {
    this.lastSeen.set(device, Date.now());
    // Shared store: other instances must know the device is alive although it talks only to us.
    const timeout = this.options.deviceTimeoutMs ?? 15 * 60_000;
    void this.spool.devices?.seen?.(device, Math.min(10_000, timeout / 4)).catch(() => undefined);
  }

  private async sweep(timeoutMs: number, started: number): Promise<void> {
    const now = Date.now();
    const elsewhere = (await this.spool.devices?.lastSeen?.().catch(() => undefined)) ?? new Map<string, number>();
    for (const e of this.table.all()) {
      const dev = this.assignedDevice(e.status);
      if (!dev || isTerminal(e.status.state)) continue;
      if (now - Math.max(this.lastSeen.get(dev) ?? started, elsewhere.get(dev) ?? 0) < timeoutMs) continue;
      const silentFor = Math.round(timeoutMs / 1000);
      if (await this.release(e.job.id, dev, `offered again: the output device that took it went silent (over ${silentFor} s) before fetching a document`)) {
        this.log.warn({ jobId: e.job.id, device: dev }, 'infra: output device silent before fetching a document; its job is fetchable again');
        continue;
      }
      this.log.warn({ jobId: e.job.id, device: dev }, 'infra: output device silent; its job ends aborted');
      await this.finish(e.job.id, JobState.aborted, ['aborted-by-system'], `the output device stopped responding (silent for over ${Math.round(timeoutMs / 1000)} s); the job was not re-sent to avoid printing it twice`).catch(
        (err: unknown) => this.log.warn({ jobId: e.job.id, err: (err as Error).message }, 'infra: could not end the job of a silent device'),
      );
    }
  }

  // ---- the forwarder's contract -------------------------------------------------------------

  /**
   * A job was committed, got a document, was closed or canceled: publish what changed.
   * `elsewhere`: another instance made the change (seen by a store pull); with a shared event log
   * that instance published it already, so this one only moves the job's state if needed.
   */
  kick(jobId: number, elsewhere = false): void {
    if (this.stopped) return;
    const run = this.react(jobId, !(elsewhere && this.sharedEvents)).catch((err: unknown) => this.log.warn({ jobId, err: (err as Error).message }, 'infra: job update failed'));
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.hub.close();
    this.requests.close();
    await this.idle();
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  // ---- job state ----------------------------------------------------------------------------

  assignedDevice(status: JobStatus): string | undefined {
    const d = status.forward.upstream;
    return d?.startsWith('urn:uuid:') ? d : undefined;
  }

  /** Waiting for a device: complete (closed, with data), not bound, not canceled, not finished. */
  isFetchable(e: JobEntry): boolean {
    return (
      !isTerminal(e.status.state) &&
      !e.status.cancelRequested &&
      this.assignedDevice(e.status) === undefined &&
      e.job.closed &&
      e.job.documents.some((d) => d.size > 0)
    );
  }

  /** The printer-uuid a device reported; the queue's identity is its first reporting device's. */
  identityOf(device: OutputDevice): string | undefined {
    const a = device.attributes.find((x) => x.name === 'printer-uuid');
    const v = a?.values[0];
    return v && 'value' in v && typeof v.value === 'string' ? v.value : undefined;
  }

  queueIdentity(): string | undefined {
    for (const d of this.registry.forQueue(this.queue)) {
      const id = this.identityOf(d);
      if (id) return id;
    }
    return undefined;
  }

  /**
   * A job sealed to the queue's advertised printer key can only be opened by a device holding that
   * key (a pool provisioned with one identity). A device with another identity would fetch jobs it
   * can only abort, so it is offered none; a device that has not reported attributes is not either.
   */
  mayServe(device: OutputDevice): boolean {
    const id = this.identityOf(device);
    return id !== undefined && id === this.queueIdentity();
  }

  jobEventAttributes(e: JobEntry): IppAttribute[] {
    const out = [
      attr.integer('job-id', e.job.id),
      attr.uri('job-uuid', e.job.uuid),
      attr.enum('job-state', e.status.state),
      attr.keyword('job-state-reasons', ...(e.status.reasons.length ? e.status.reasons : ['none'])),
    ];
    const dev = this.assignedDevice(e.status);
    if (dev) out.push(attr.uri('output-device-uuid-assigned', dev));
    return out;
  }

  private async react(jobId: number, announce: boolean): Promise<void> {
    const publishJob = (id: number, event: 'job-fetchable' | 'job-state-changed' | 'job-completed', device?: string): Promise<void> =>
      announce ? this.publishJob(id, event, device) : Promise.resolve();
    const e = this.table.get(jobId);
    if (!e) return;
    if (isTerminal(e.status.state)) {
      // Cancel-Job ends a job no device took at once (operations/jobs.ts): listeners still hear it.
      if (e.status.state === JobState.canceled && e.status.cancelRequested && !this.assignedDevice(e.status)) await publishJob(jobId, 'job-completed');
      return;
    }
    const dev = this.assignedDevice(e.status);
    if (e.status.cancelRequested) {
      if (!dev) {
        await this.finish(jobId, JobState.canceled, ['job-canceled-by-user'], 'canceled before an output device fetched it');
        await publishJob(jobId, 'job-completed');
        return;
      }
      // The device stops it and reports canceled with Update-Job-Status.
      await publishJob(jobId, 'job-state-changed', dev);
      return;
    }
    if (!dev && this.isFetchable(e)) {
      if (!e.status.reasons.includes('job-fetchable')) {
        await this.table.update(jobId, (s) => ({ ...s, state: JobState.pending, reasons: ['job-fetchable'], message: 'waiting for an output device to fetch it' }));
      }
      await publishJob(jobId, 'job-fetchable');
    }
  }

  async publishJob(jobId: number, event: 'job-fetchable' | 'job-state-changed' | 'job-completed', device?: string): Promise<void> {
    const e = this.table.get(jobId);
    if (!e) return;
    await this.emit({ event, queue: this.queue, ...(device ? { device } : {}), attributes: this.jobEventAttributes(e) });
    // A state change is also a job-state-changed for whoever listens only to that.
    if (event === 'job-completed') await this.emit({ event: 'job-state-changed', queue: this.queue, ...(device ? { device } : {}), attributes: this.jobEventAttributes(e) });
  }

  /** An event lost to a store error is not fatal: devices re-prime with Get-Jobs which-jobs=fetchable. */
  async emit(record: InfraEventRecord): Promise<void> {
    await this.hub.publish(record).catch((err: unknown) => this.log.warn({ event: record.event, err: (err as Error).message }, 'infra: event not published'));
  }

  /** Binds the job to `device` (first acknowledgement wins; repeating one's own is harmless). */
  async bind(jobId: number, device: string): Promise<void> {
    await this.table.update(jobId, (s) => {
      const e = this.table.get(jobId)!;
      const bound = this.assignedDevice(s);
      if (bound === device && !isTerminal(s.state)) return s;
      if (bound !== undefined) throw new NotFetchable(`job ${jobId} was acknowledged by another output device`);
      if (!this.isFetchable({ job: e.job, status: s })) throw new NotFetchable(`job ${jobId} is not fetchable (finished, canceled or incomplete)`);
      return {
        ...s,
        state: JobState.pending,
        reasons: ['job-queued'],
        message: undefined,
        forward: { ...s.forward, upstream: device, upstreamJobId: jobId },
      };
    });
  }

  /**
   * Unbinds a job from `device` and makes it fetchable again, if the device never fetched any of
   * its documents (fetchDocument records one before serving it): then it cannot have printed it.
   * Returns false, changing nothing, once a document went out or the job is no longer the device's.
   */
  async release(jobId: number, device: string, message: string): Promise<boolean> {
    let released = false;
    await this.table.update(jobId, (s) => {
      if (this.assignedDevice(s) !== device || isTerminal(s.state) || s.forward.inFlight !== undefined || s.forward.documentsSent > 0) return s;
      released = true;
      return { ...s, state: JobState.pending, reasons: ['job-fetchable'], message, forward: { ...s.forward, upstream: undefined, upstreamJobId: undefined } };
    });
    if (released) await this.publishJob(jobId, 'job-fetchable');
    return released;
  }

  /** The device reports the job's state (Update-Job-Status). */
  async report(jobId: number, state: JobStateValue, reasons: readonly string[], message: string | undefined): Promise<void> {
    if (isTerminal(state)) {
      await this.finish(jobId, state, reasons, message);
      await this.publishJob(jobId, 'job-completed', this.assignedDevice(this.table.get(jobId)!.status));
      return;
    }
    // A cancel in progress stays visible until the device confirms it.
    await this.table.update(jobId, (s) => (isTerminal(s.state) ? s : { ...s, state, reasons: s.cancelRequested ? [...new Set([...reasons, 'processing-to-stop-point'])] : [...reasons], message }));
  }

  async finish(jobId: number, state: JobStateValue, reasons: readonly string[], message: string | undefined): Promise<void> {
    await this.table.update(jobId, (s) =>
      isTerminal(s.state) ? s : { ...s, state, reasons: reasons.length ? [...reasons] : ['none'], message, completedAt: Date.now() },
    );
    // The ciphertext has done its job; the record stays for Get-Jobs, the bytes go.
    for (const d of this.table.get(jobId)?.job.documents ?? []) await this.spool.dropDocumentData(jobId, d.number);
  }

  // ---- devices as upstreams -----------------------------------------------------------------

  syncUpstreams(): void {
    const list = this.registry.forQueue(this.queue).map((d) => this.deviceUpstream(d.uuid));
    this.upstreams.splice(0, this.upstreams.length, ...list);
  }

  private deviceUpstream(uuid: string): Upstream {
    return {
      uri: uuid,
      send: (message) => this.answerAsDevice(uuid, message),
    };
  }

  private async answerAsDevice(uuid: string, message: IppMessage): Promise<UpstreamAnswer> {
    const device = this.registry.get(uuid);
    if (!device) throw new Error(`output device ${uuid} is no longer registered`);
    if (message.code === IppOperation.getPrinterAttributes) return await this.printerAttributes(device, message);
    if (message.code === IppOperation.getEncryptedJobAttributes) return this.encryptedAttributes(device, message);
    return answer(message, IppStatus.serverErrorOperationNotSupported, [], 'not available in pull mode');
  }

  /** Get-Printer-Attributes answered with what the device reported, plus our pending requests. */
  private async printerAttributes(device: OutputDevice, message: IppMessage): Promise<UpstreamAnswer> {
    if (device.attributes.length === 0 || !this.mayServe(device)) throw new Error(`output device ${device.uuid} has not reported its attributes`);
    const requested = keywords(findAttribute(message, GroupTag.operation, 'requested-attributes'));
    const all = requested.length === 0 || requested.some((r) => r === 'all' || r === 'printer-description' || r === 'printer-defaults');
    const want = new Set(requested);
    const pending = (await this.requests.countFor(this.queue).catch(() => 0)) > 0;
    const attrs = device.attributes
      .filter((a) => all || want.has(a.name))
      .map((a) => {
        if (a.name !== 'printer-state-reasons' || !pending) return a;
        const kept = a.values.filter((v) => !('value' in v && v.value === 'none'));
        return { name: a.name, values: [...kept, { tag: 'keyword' as const, value: 'encrypted-job-attributes-requested' }] };
      });
    return answer(message, IppStatus.successfulOk, [{ tag: GroupTag.printer, attributes: attrs }]);
  }

  /**
   * The owner's Get-Encrypted-Job-Attributes, already checked for ownership by the caller
   * (operations/encrypted.ts): recorded, announced to the job's device, answered when it is.
   */
  private async encryptedAttributes(device: OutputDevice, message: IppMessage): Promise<UpstreamAnswer> {
    const jobId = integerValue(findAttribute(message, GroupTag.operation, 'job-id'));
    if (jobId === undefined) return answer(message, IppStatus.clientErrorBadRequest, [], 'job-id is required');
    const operation = (message.groups[0]?.attributes ?? []).filter((a) => !['attributes-charset', 'attributes-natural-language', 'printer-uri'].includes(a.name));
    const timeoutMs = this.options.encryptedAttributesTimeoutMs ?? 20_000;
    const result = await this.requests.open({ jobId, device: device.uuid, queue: this.queue, operation }, timeoutMs, (r) => {
      this.log.info({ jobId, requestId: r.id, device: device.uuid }, 'infra: encrypted job attributes requested');
      void this.emit({
        event: 'printer-state-changed',
        queue: this.queue,
        device: device.uuid,
        attributes: [
          attr.keyword('printer-state-reasons', 'encrypted-job-attributes-requested'),
          attr.integer('encrypted-job-request-id', r.id),
          attr.integer('job-id', jobId),
        ],
      });
    });
    if (!result) {
      return answer(
        message,
        SERVICE_UNAVAILABLE,
        [],
        `the printer did not answer within ${Math.round(timeoutMs / 1000)} s (it fetches its work and may be offline); try again later`,
      );
    }
    const m = answer(message, result.status, [], result.statusMessage, result.operation);
    return { message: m.message, data: Readable.from([Buffer.from(result.sealed)]) };
  }
}

function answer(request: IppMessage, status: number, groups: IppMessage['groups'], statusMessage?: string, operation: readonly IppAttribute[] = []): UpstreamAnswer {
  return {
    message: {
      version: { major: 2, minor: 0 },
      code: status,
      requestId: request.requestId,
      groups: [
        {
          tag: GroupTag.operation,
          attributes: [
            attr.charset('attributes-charset', 'utf-8'),
            attr.naturalLanguage('attributes-natural-language', 'en'),
            ...(statusMessage ? [attr.text('status-message', statusMessage.slice(0, 255))] : []),
            ...operation,
          ],
        },
        ...groups,
      ],
    },
    data: Readable.from([]),
  };
}
