import type { Command } from '../command.js';
import { intermediaryCommand } from './intermediary.js';
import { ippCommand } from './ipp.js';
import { printerCommand } from './printer.js';
import { smimeCommand } from './smime.js';

/**
 * The top level of the tno command tree. Each entry lives in its own file under commands/;
 * add a command by adding its file and one line here.
 */
export const commands: readonly Command[] = [intermediaryCommand, printerCommand, smimeCommand, ippCommand];
