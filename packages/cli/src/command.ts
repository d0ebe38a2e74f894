import type { ExitCode } from './exit-codes.js';

/** Where a command reads and writes; injected so tests can run commands without a process. */
export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/** A node of the `tno` command tree: a group of subcommands, a runnable leaf, or one still to be imported. */
export type Command =
  | {
      readonly name: string;
      readonly summary: string;
      readonly subcommands: readonly Command[];
    }
  | {
      readonly name: string;
      readonly summary: string;
      /** Usage text shown by `--help`: synopsis first, then one line per flag. */
      readonly usage: string;
      readonly run: (argv: readonly string[], io: Io) => Promise<ExitCode>;
    }
  | {
      readonly name: string;
      readonly summary: string;
      /**
       * Imports the command's module when it is dispatched to: the table lists every command, but
       * `tno print` should not pay for loading the printer, the intermediary and the conformance
       * suites (issue 20: start-up was most of a small sealed job's client time).
       */
      readonly load: () => Promise<Command>;
    };

/** A failure a person can act on: printed as one line `tno: message`, exiting with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  /** The command already wrote its --json result (e.g. an aborted job's status): no error object then. */
  readonly jsonWritten: boolean;
  constructor(message: string, exitCode: ExitCode, options?: { cause?: unknown; jsonWritten?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.jsonWritten = options?.jsonWritten === true;
  }
}
