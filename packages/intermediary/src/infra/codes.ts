/**
 * INFRA (PWG 5100.18), System Service (PWG 5100.22), IPP Event Notifications (RFC 3995/3996) and
 * TRUSTNOONE operation codes the Infrastructure Printer serves, and the statuses it originates.
 */
export const InfraOp = {
  createPrinterSubscriptions: 0x0016, // RFC 3995 §11.1.1
  getNotifications: 0x001c, // RFC 3996 §5
  cancelSubscription: 0x001b, // RFC 3995 §11.2.7
  acknowledgeDocument: 0x003f, // PWG 5100.18 §6.1
  acknowledgeJob: 0x0041,
  fetchDocument: 0x0042,
  fetchJob: 0x0043,
  updateActiveJobs: 0x0045,
  deregisterOutputDevice: 0x0046,
  updateDocumentStatus: 0x0047,
  updateJobStatus: 0x0048,
  updateOutputDeviceAttributes: 0x0049,
  registerOutputDevice: 0x005f, // PWG 5100.22 §7.x (System Service)
  acknowledgeEncryptedJobAttributes: 0x0068, // TRUSTNOONE (pending registration)
  fetchEncryptedJobAttributes: 0x0069,
  getEncryptedJobAttributes: 0x006a,
} as const;

export const InfraStatus = {
  /** PWG 5100.18 §9: the job is not (or no longer) fetchable by this output device. */
  notFetchable: 0x0420,
  /** RFC 3996 §5: the Get-Notifications long poll found nothing before its wait ended. */
  successfulOkEventsComplete: 0x0007,
} as const;

/** RFC 3996 §5.1 / PWG 5100.18 events an output device may subscribe to. */
export const INFRA_EVENTS = [
  'job-fetchable',
  'job-state-changed',
  'job-created',
  'job-completed',
  'printer-state-changed',
  'printer-config-changed',
  'document-state-changed',
] as const;
export type InfraEvent = (typeof INFRA_EVENTS)[number];
