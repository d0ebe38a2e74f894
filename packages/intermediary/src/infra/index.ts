/**
 * Pull mode (`tno intermediary --infra`): this intermediary as a PWG 5100.18 Infrastructure
 * Printer. `createInfra` builds the queue that replaces the forwarder and the operation handlers
 * for the printer object (Proxy operations) and the System object (device registration).
 */
import { IppOperation } from '@trustnoone/ipp';
import type { IppReply, IppRequestContext } from '@trustnoone/ipp-http';
import type { JobTable } from '../jobs.js';
import type { Service } from '../service.js';
import type { Spool } from '../spool/types.js';
import { cancelSubscription, createPrinterSubscriptions, deregisterOutputDevice, getNotifications, registerOutputDevice, updateOutputDeviceAttributes } from './device-ops.js';
import { acknowledgeEncryptedJobAttributes, fetchEncryptedJobAttributes } from './encrypted-ops.js';
import { acknowledgeDocument, acknowledgeJob, fetchDocument, fetchJob, getJobsWithFetchable, updateActiveJobs, updateDocumentStatus, updateJobStatus } from './job-ops.js';
import { InfraQueue, type InfraLog, type InfraOptions } from './queue.js';

export { InfraQueue, type InfraOptions } from './queue.js';
export type { OutputDevice } from './devices.js';

export type ServiceHandler = (service: Service, ctx: IppRequestContext) => Promise<IppReply>;

export interface Infra {
  readonly queue: InfraQueue;
  readonly systemPath: string;
  /** Handlers for the printer object (they override Get-Jobs to add which-jobs=fetchable). */
  readonly printerHandlers: ReadonlyMap<number, ServiceHandler>;
  readonly systemHandlers: ReadonlyMap<number, ServiceHandler>;
}

export function createInfra(table: JobTable, spool: Spool, queuePath: string, options: InfraOptions, log: InfraLog): Infra {
  const q = new InfraQueue(table, spool, queuePath, options, log);
  const printerHandlers = new Map<number, ServiceHandler>([
    [IppOperation.getJobs, getJobsWithFetchable(q)],
    [IppOperation.fetchJob, fetchJob(q)],
    [IppOperation.acknowledgeJob, acknowledgeJob(q)],
    [IppOperation.fetchDocument, fetchDocument(q)],
    [IppOperation.acknowledgeDocument, acknowledgeDocument(q)],
    [IppOperation.updateJobStatus, updateJobStatus(q)],
    [IppOperation.updateDocumentStatus, updateDocumentStatus(q)],
    [IppOperation.updateActiveJobs, updateActiveJobs(q)],
    [IppOperation.updateOutputDeviceAttributes, updateOutputDeviceAttributes(q)],
    [IppOperation.createPrinterSubscriptions, createPrinterSubscriptions(q)],
    [IppOperation.getNotifications, getNotifications(q)],
    [IppOperation.cancelSubscription, cancelSubscription(q)],
    [IppOperation.deregisterOutputDevice, deregisterOutputDevice(q)],
    [IppOperation.fetchEncryptedJobAttributes, fetchEncryptedJobAttributes(q)],
    [IppOperation.acknowledgeEncryptedJobAttributes, acknowledgeEncryptedJobAttributes(q)],
  ]);
  const systemHandlers = new Map<number, ServiceHandler>([
    [IppOperation.registerOutputDevice, registerOutputDevice(q)],
    [IppOperation.deregisterOutputDevice, deregisterOutputDevice(q)],
  ]);
  return { queue: q, systemPath: options.systemPath ?? '/ipp/system', printerHandlers, systemHandlers };
}
