/**
 * The demo's sample document: a few pages of plain text (form feeds separate pages), with a canary
 * string on every page that must never appear in anything the intermediary stores.
 */
import { randomBytes } from 'node:crypto';

export interface Sample {
  readonly canary: string;
  readonly text: string;
  readonly pages: number;
}

export function sampleDocument(pages = 3): Sample {
  const canary = `TNO-CANARY-${randomBytes(8).toString('hex')}`;
  const body: string[] = [];
  for (let p = 1; p <= pages; p++) {
    body.push(
      [
        `trustnoone demo - page ${p} of ${pages}`,
        '',
        'Quarterly salaries (confidential)',
        `  canary: ${canary}`,
        '',
        'This page was sealed on the client to the printer\'s key,',
        'relayed by an intermediary that holds no key,',
        'then opened, verified and rendered by the printer.',
      ].join('\n'),
    );
  }
  return { canary, text: `${body.join('\n\f')}\n`, pages };
}
