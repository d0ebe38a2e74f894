import { readFileSync } from 'node:fs';
import { CliError, type Command, type Io } from './command.js';
import { commands } from './commands/index.js';
import { ExitCode } from './exit-codes.js';
import { terminalSafe, terminalSafeJson } from './terminal-text.js';

const root: Loaded = { name: 'tno', summary: 'end-to-end encrypted printing over IPP (TRUSTNOONE)', subcommands: commands };

/** A command whose module is loaded: a group or a runnable leaf. */
type Loaded = Exclude<Command, { load: unknown }>;

function helpText(path: readonly string[], cmd: Loaded): string {
  const title = [...path, cmd.name].join(' ');
  if ('run' in cmd) return `${title} — ${cmd.summary}\n\n${cmd.usage.trimEnd()}\n`;
  const width = Math.max(0, ...cmd.subcommands.map((c) => c.name.length));
  const rows = cmd.subcommands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  const version = path.length === 0 ? `\n'tno --version' shows the version.\n` : '';
  return `${title} — ${cmd.summary}\n\nUsage: ${title} <command> [options]\n\nCommands:\n${rows.join('\n')}\n\nRun '${title} <command> --help' for a command's options.\n${version}`;
}

/** The CLI package's version (the same package.json from src/ and from dist/). */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The stable code of the failure behind a CliError (a ClientError's code), else the exit status's name. */
function codeOf(err: CliError): string {
  const cause = err.cause as { code?: unknown } | undefined;
  if (typeof cause?.code === 'string') return cause.code;
  return Object.entries(ExitCode).find(([, v]) => v === err.exitCode)?.[0] ?? 'failure';
}

/** Runs the tno command line; returns the exit status (never throws for a CliError). */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-V') {
    io.stdout.write(`tno ${cliVersion()} (trustnoone; Node.js ${process.versions.node})\n`);
    return ExitCode.ok;
  }
  let cmd: Loaded = root;
  const path: string[] = [];
  let rest = [...argv];
  while (!('run' in cmd)) {
    const next = rest[0];
    if (next === undefined || next === '--help' || next === '-h' || next === 'help') {
      io.stdout.write(helpText(path, cmd));
      return next === undefined && path.length === 0 ? ExitCode.usage : ExitCode.ok;
    }
    const sub: Command | undefined = cmd.subcommands.find((c) => c.name === next);
    if (!sub) {
      const here = [...path, cmd.name].join(' ');
      const message = next.startsWith('-')
        ? `'${here}' needs a command before ${next} (see '${here} --help')`
        : `unknown command '${[...path.slice(1), cmd.name === 'tno' ? '' : cmd.name, next].filter(Boolean).join(' ')}' (see '${here} --help')`;
      io.stderr.write(`tno: ${message}\n`);
      // With --json a script reads stdout: a usage error is a JSON object there too (issue 15.7).
      if (argv.includes('--json')) io.stdout.write(`${terminalSafeJson({ error: { exitCode: ExitCode.usage, code: 'usage', message } }, 2)}\n`);
      return ExitCode.usage;
    }
    path.push(cmd.name);
    let loaded: Command = sub;
    while ('load' in loaded) loaded = await loaded.load();
    cmd = loaded;
    rest = rest.slice(1);
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(helpText(path, cmd));
    return ExitCode.ok;
  }
  try {
    return await cmd.run(rest, io);
  } catch (err) {
    if (err instanceof CliError) {
      // Messages carry server text (status-message, job-state-message): escaped (issue 12 item 7).
      io.stderr.write(`tno: ${terminalSafe(err.message)}\n`);
      // With --json, scripts read stdout: the failure is a JSON object there too (issue 15.7).
      if (rest.includes('--json') && !err.jsonWritten) io.stdout.write(`${terminalSafeJson({ error: { exitCode: err.exitCode, code: codeOf(err), message: err.message } }, 2)}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd(), env: process.env };
}
