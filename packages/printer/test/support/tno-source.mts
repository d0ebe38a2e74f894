// Runs the tno command from TypeScript sources (tests spawn it with tsx --conditions=source), so a
// test exercises the real process: first line of stdout, signals, exit status.
import { main } from '@trustnoone/cli';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`tno: internal error: ${String(err)}\n`);
    process.exitCode = 70;
  },
);
