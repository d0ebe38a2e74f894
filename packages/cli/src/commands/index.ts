import type { Command } from '../command.js';
import { conformanceCommand } from './conformance.js';
import { demoCommand } from './demo.js';
import { intermediaryCommand } from './intermediary.js';
import { ippCommand } from './ipp.js';
import { keysCommand } from './keys.js';
import { loginCommand, logoutCommand } from './login.js';
import { cancelCommand, jobsCommand, statusCommand } from './job-commands.js';
import { printCommand } from './print.js';
import { printerCommand } from './printer.js';
import { printersCommand } from './printers.js';
import { smimeCommand } from './smime.js';
import { trustCommand } from './trust.js';

/**
 * The top level of the tno command tree. Each entry lives in its own file under commands/;
 * add a command by adding its file and one line here.
 */
export const commands: readonly Command[] = [
  printCommand,
  statusCommand,
  jobsCommand,
  cancelCommand,
  trustCommand,
  printersCommand,
  demoCommand,
  intermediaryCommand,
  printerCommand,
  smimeCommand,
  keysCommand,
  ippCommand,
  conformanceCommand,
  loginCommand, logoutCommand,
];
