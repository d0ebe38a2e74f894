/**
 * A dishonest Infrastructure Printer (PWG 5100.18) for pool tests (issue 21.2): it speaks just
 * enough INFRA for `tno printer --proxy` — register, report attributes, subscribe, quiet long
 * polls, Get-Jobs which-jobs=fetchable, Fetch-Job, Acknowledge-Job, Fetch-Document,
 * Acknowledge-Document, Update-Job-Status, Update-Document-Status, Update-Active-Jobs — and it
 * breaks the one rule an honest queue keeps: every device that asks is offered, and may take,
 * the same sealed job (first acknowledgement does not win). It records what each device reports.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeMessage, encodeMessage, GroupTag, response, type IppAttribute, type IppGroup, type IppMessage } from '@trustnoone/ipp';

export interface DeviceReport {
  readonly device: string;
  readonly jobId: number;
  readonly state: number;
  readonly reasons: readonly string[];
  readonly message: string;
}

export interface OfferedJob {
  readonly jobId: number;
  readonly jobUuid: string;
  readonly envelope: Uint8Array;
}

export interface DishonestQueue {
  readonly uri: string;
  /** Devices (output-device-uuid) that subscribed. */
  readonly devices: ReadonlySet<string>;
  /** The printer attributes the devices reported (the pool's key and uuid). */
  attributes(): readonly IppAttribute[];
  /** Offers `job` to every device from now on. */
  offer(job: OfferedJob): void;
  /** Devices that fetched a document of job `jobId`. */
  fetchedBy(jobId: number): string[];
  readonly reports: readonly DeviceReport[];
  close(): Promise<void>;
}

const val = (m: IppMessage, name: string) => m.groups.flatMap((g) => g.attributes).find((a) => a.name === name)?.values;
const num = (m: IppMessage, name: string): number | undefined => {
  const x = val(m, name)?.[0];
  return x && (x.tag === 'integer' || x.tag === 'enum') ? x.value : undefined;
};
const text = (m: IppMessage, name: string): string => {
  const x = val(m, name)?.[0];
  return x && 'value' in x ? String(x.value) : '';
};

export interface DishonestQueueOptions {
  /** Holds the answer to a final Update-Job-Status (state >= canceled) this long: a slow link. */
  readonly finalReportDelayMs?: number;
}

export async function startDishonestQueue(options: DishonestQueueOptions = {}): Promise<DishonestQueue> {
  const devices = new Set<string>();
  const offered = new Map<number, OfferedJob>();
  const fetched = new Map<number, Set<string>>();
  const reports: DeviceReport[] = [];
  let printerAttributes: readonly IppAttribute[] = [];
  let nextSub = 1;

  function reply(req: IppMessage, status: number, groups: IppGroup[] = [], data?: Uint8Array): Uint8Array {
    const m = response(status, { requestId: req.requestId }).operation([]).build();
    return encodeMessage({ ...m, groups: [...m.groups, ...groups], ...(data ? { data } : {}) });
  }

  function answer(req: IppMessage, device: string): Promise<Uint8Array> | Uint8Array {
    const jobId = num(req, 'job-id');
    const job = jobId !== undefined ? offered.get(jobId) : undefined;
    switch (req.code) {
      case 0x005f: // Register-Output-Device
      case 0x001b: // Cancel-Subscription
      case 0x0041: // Acknowledge-Job: everyone wins
      case 0x003f: // Acknowledge-Document
      case 0x0047: // Update-Document-Status
      case 0x0045: // Update-Active-Jobs
        return reply(req, 0);
      case 0x0049: {
        printerAttributes = req.groups.find((g) => g.tag === GroupTag.printer)?.attributes ?? [];
        return reply(req, 0);
      }
      case 0x0016:
        devices.add(device);
        return reply(req, 0, [{ tag: GroupTag.subscription, attributes: [{ name: 'notify-subscription-id', values: [{ tag: 'integer', value: nextSub++ }] }] }]);
      case 0x001c: // Get-Notifications: a quiet poll, so the device re-primes with Get-Jobs
        return new Promise((r) => setTimeout(() => r(reply(req, 0)), 300));
      case 0x000a:
        return reply(
          req,
          0,
          [...offered.keys()].map((id) => ({ tag: GroupTag.job, attributes: [{ name: 'job-id', values: [{ tag: 'integer' as const, value: id }] }] })),
        );
      case 0x0043:
        if (!job) return reply(req, 0x0420);
        return reply(req, 0, [
          {
            tag: GroupTag.job,
            attributes: [
              { name: 'job-id', values: [{ tag: 'integer', value: job.jobId }] },
              { name: 'job-uuid', values: [{ tag: 'uri', value: job.jobUuid }] },
              { name: 'job-name', values: [{ tag: 'nameWithoutLanguage', value: 'encrypted job' }] },
              { name: 'job-originating-user-name', values: [{ tag: 'nameWithoutLanguage', value: 'alice' }] },
              { name: 'number-of-documents', values: [{ tag: 'integer', value: 1 }] },
            ],
          },
        ]);
      case 0x0042: {
        if (!job) return reply(req, 0x0420);
        if (!fetched.has(job.jobId)) fetched.set(job.jobId, new Set());
        fetched.get(job.jobId)!.add(device);
        const m = response(0, { requestId: req.requestId }).operation([]).build();
        const ops = m.groups[0]!;
        const withFormat: IppGroup = { ...ops, attributes: [...ops.attributes, { name: 'document-format', values: [{ tag: 'mimeMediaType', value: 'application/pkcs7-mime' }] }, { name: 'last-document', values: [{ tag: 'boolean', value: true }] }] };
        return encodeMessage({ ...m, groups: [withFormat, ...m.groups.slice(1)], data: job.envelope });
      }
      case 0x0048: {
        if (jobId !== undefined) {
          const reasons = (val(req, 'output-device-job-state-reasons') ?? []).map((x) => ('value' in x ? String(x.value) : ''));
          const state = num(req, 'output-device-job-state') ?? 0;
          reports.push({ device, jobId, state, reasons, message: text(req, 'output-device-job-state-message') });
          const hold = state >= 7 ? (options.finalReportDelayMs ?? 0) : 0;
          if (hold > 0) return new Promise((r) => setTimeout(() => r(reply(req, 0)), hold));
        }
        return reply(req, 0);
      }
      default:
        return reply(req, 0x0501); // server-error-operation-not-supported
    }
  }

  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024 * 1024) req.destroy();
      else parts.push(c);
    });
    req.on('end', () => {
      void (async () => {
        const message = decodeMessage(Buffer.concat(parts));
        const body = await answer(message, text(message, 'output-device-uuid'));
        res.writeHead(200, { 'content-type': 'application/ipp', 'content-length': body.length });
        res.end(body);
      })().catch(() => res.destroy());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    uri: `ipp://127.0.0.1:${port}/ipp/print`,
    devices,
    attributes: () => printerAttributes,
    offer: (job) => void offered.set(job.jobId, job),
    fetchedBy: (id) => [...(fetched.get(id) ?? [])],
    reports,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
