/** Operation codes this intermediary serves (RFC 8011 §5.4.15, PWG 5100.x, TRUSTNOONE draft). */
export const Op = {
  printJob: 0x0002,
  validateJob: 0x0004,
  createJob: 0x0005,
  sendDocument: 0x0006,
  cancelJob: 0x0008,
  getJobAttributes: 0x0009,
  getJobs: 0x000a,
  getPrinterAttributes: 0x000b,
  cancelMyJobs: 0x0039, // PWG 5100.11
  closeJob: 0x003b, // PWG 5100.11
  identifyPrinter: 0x003c, // PWG 5100.13
  getEncryptedJobAttributes: 0x006a, // TRUSTNOONE (pending registration)
} as const;
