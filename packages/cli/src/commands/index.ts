import type { Command } from '../command.js';
import { cancelUsage, jobsUsage, printUsage, statusUsage } from './client-usage.js';

/**
 * The top level of the tno command tree: names and summaries only. A command's module (and the
 * packages it needs) is imported when it is dispatched to, so `tno --version`, `tno --help` and
 * `tno print` load no server or conformance code (issue 20). Each entry lives in its own file under
 * commands/; add a command by adding its file and one entry here, with the summary its module gives.
 * The commands people run most also have their help here (client-usage.ts), so `tno print --help`
 * imports nothing either.
 */
export const commands: readonly Command[] = [
  leaf('print', 'seal files to a printer and print them (end-to-end encrypted)', printUsage, async () => (await import('./print.js')).printCommand),
  leaf('status', "show a job's state (and its sealed attributes with --cert/--key)", statusUsage, async () => (await import('./job-commands.js')).statusCommand),
  leaf('jobs', 'list the jobs of a printer or intermediary', jobsUsage, async () => (await import('./job-commands.js')).jobsCommand),
  leaf('cancel', 'cancel a job', cancelUsage, async () => (await import('./job-commands.js')).cancelCommand),
  { name: 'trust', summary: 'show, pin and forget printer keys and trust anchors', load: async () => (await import('./trust.js')).trustCommand },
  { name: 'printers', summary: 'list saved printers with state, queue and key trust (like lpstat -p)', load: async () => (await import('./printers.js')).printersCommand },
  { name: 'demo', summary: 'run a printer and an intermediary on loopback and print a sealed job end to end', load: async () => (await import('./demo.js')).demoCommand },
  { name: 'intermediary', summary: 'run a blind intermediary that spools and relays sealed jobs', load: async () => (await import('./intermediary.js')).intermediaryCommand },
  { name: 'printer', summary: 'run the printer emulator (IPP Everywhere, TRUSTNOONE endpoint)', load: async () => (await import('./printer.js')).printerCommand },
  { name: 'pool-ledger', summary: 'run the pool ledger: one job, one print across printers sharing an INFRA queue', load: async () => (await import('./pool-ledger.js')).poolLedgerCommand },
  { name: 'smime', summary: 'seal and open CMS (S/MIME) envelopes, OpenSSL-compatible', load: async () => (await import('./smime.js')).smimeCommand },
  { name: 'keys', summary: 'generate keys and certificates (CA, printer, client, TLS server)', load: async () => (await import('./keys.js')).keysCommand },
  { name: 'ipp', summary: 'decode and encode application/ipp messages (RFC 8010)', load: async () => (await import('./ipp.js')).ippCommand },
  { name: 'conformance', summary: 'run the conformance suites against a printer, intermediary or Infrastructure Printer', load: async () => (await import('./conformance.js')).conformanceCommand },
  { name: 'login', summary: 'sign in at an OAuth 2.0 issuer for a printer (device code or browser)', load: async () => (await import('./login.js')).loginCommand },
  { name: 'logout', summary: 'forget saved OAuth sign-ins (and revoke their tokens)', load: async () => (await import('./login.js')).logoutCommand },
];

/** A runnable command whose help is known here and whose module is imported when it runs. */
function leaf(name: string, summary: string, usage: string, load: () => Promise<Command>): Command {
  return {
    name,
    summary,
    usage,
    async run(argv, io) {
      const loaded = await load();
      if (!('run' in loaded)) throw new TypeError(`command module for '${name}' is not a runnable command`);
      return loaded.run(argv, io);
    },
  };
}
