import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeMessage, encodeMessage, IppError, messageFromJson, messageToJson, responseStatus, statusName, validateRequest } from '@trustnoone/ipp';
import { CliError, type Command, type Io } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { terminalSafe, terminalSafeJson } from '../terminal-text.js';

const decodeUsage = `Usage: tno ipp decode FILE [--validate]

Decodes an application/ipp message (RFC 8010) and prints it as lossless JSON on stdout: every
value with its own tag, bytes as hex, dateTime field by field, document data as base64.
'tno ipp encode' turns that JSON back into the identical bytes. FILE '-' reads stdin.

  --validate   also check it as a request (RFC 8011 §4.1); exits 1 listing violations on stderr
`;

const encodeUsage = `Usage: tno ipp encode FILE.json

Encodes the JSON form printed by 'tno ipp decode' back to application/ipp bytes on stdout.
FILE '-' reads stdin.
`;

async function readInput(file: string, io: Io): Promise<Buffer> {
  if (file === '-') {
    const parts: Buffer[] = [];
    for await (const chunk of io.stdin) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(parts);
  }
  try {
    return await readFile(resolve(io.cwd, file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`, ExitCode.usage, { cause: err });
  }
}

function oneFile(argv: readonly string[], usage: string, options: Record<string, { type: 'boolean' }> = {}): { file: string; flags: Record<string, boolean | undefined> } {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError(`${(err as Error).message} (see --help)`, ExitCode.usage, { cause: err });
  }
  if (parsed.positionals.length !== 1) throw new CliError(`expected one FILE\n${usage.split('\n')[0]}`, ExitCode.usage);
  return { file: parsed.positionals[0]!, flags: parsed.values as Record<string, boolean | undefined> };
}

function ippFailure(file: string, err: unknown): never {
  if (err instanceof IppError) throw new CliError(`${file}: ${err.message} [${err.code}]`, ExitCode.failure, { cause: err });
  throw err;
}

const decodeCommand: Command = {
  name: 'decode',
  summary: 'print an application/ipp message as lossless JSON',
  usage: decodeUsage,
  async run(argv, io) {
    const { file, flags } = oneFile(argv, decodeUsage, { validate: { type: 'boolean' } });
    const bytes = await readInput(file, io);
    let message;
    try {
      message = decodeMessage(bytes);
    } catch (err) {
      ippFailure(file, err);
    }
    io.stdout.write(`${terminalSafeJson(messageToJson(message), 2)}\n`);
    if (flags.validate === true) {
      const violations = validateRequest(message);
      for (const v of violations) io.stderr.write(`tno: ${terminalSafe(`${file}: ${v.message}`)} (${statusName(v.status)})\n`);
      const status = responseStatus(violations);
      if (status !== undefined) return ExitCode.failure;
    }
    return ExitCode.ok;
  },
};

const encodeCommand: Command = {
  name: 'encode',
  summary: "turn 'tno ipp decode' JSON back into application/ipp bytes",
  usage: encodeUsage,
  async run(argv, io) {
    const { file } = oneFile(argv, encodeUsage);
    const text = (await readInput(file, io)).toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new CliError(`${file}: not JSON (${(err as Error).message})`, ExitCode.failure, { cause: err });
    }
    let bytes: Uint8Array;
    try {
      bytes = encodeMessage(messageFromJson(json));
    } catch (err) {
      ippFailure(file, err);
    }
    await new Promise<void>((done, fail) => io.stdout.write(bytes, (e) => (e ? fail(e) : done())));
    return ExitCode.ok;
  },
};

export const ippCommand: Command = {
  name: 'ipp',
  summary: 'decode and encode application/ipp messages (RFC 8010)',
  subcommands: [decodeCommand, encodeCommand],
};
