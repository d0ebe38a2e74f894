/**
 * Exit statuses of the tno command. Scripts rely on these; docs/cli.md lists them and a test keeps
 * the two in step.
 */
export const ExitCode = {
  ok: 0,
  /** The operation ran and failed (a job aborted, a file did not decode, a peer refused). */
  failure: 1,
  /** The command line was wrong: unknown command or flag, missing argument. */
  usage: 2,
  /** The printer's key is not trusted (first use under --strict, or a changed key). */
  untrusted: 3,
  /** Integrity, decryption or signature verification failed. */
  security: 4,
  /** A peer could not be reached or answered with something that is not IPP. */
  unreachable: 5,
  /** The printer does not support encrypted printing and --allow-plaintext was not given. */
  notEncrypted: 6,
  /** A bug in tno itself. */
  internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
