/**
 * The few HTML pieces both servers' status pages share: escaping, a self-contained page (inline
 * style, no script, no external asset: it must render on an air-gapped admin network and in a
 * test browser with no network), and a table. Every value a page shows passes through `escapeHtml`,
 * since job names and user names come from whoever submitted the job.
 */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Already-escaped markup, so tables can hold links or code without escaping them twice. */
export interface Markup {
  readonly html: string;
}

export const markup = (html: string): Markup => ({ html });

const cell = (v: string | number | Markup): string => (typeof v === 'object' ? v.html : escapeHtml(v));

export function htmlTable(id: string, headers: readonly string[], rows: readonly (readonly (string | number | Markup)[])[], empty: string): string {
  if (rows.length === 0) return `<p id="${escapeHtml(id)}" class="empty">${escapeHtml(empty)}</p>`;
  const head = headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((v) => `<td>${cell(v)}</td>`).join('')}</tr>`).join('\n');
  return `<table id="${escapeHtml(id)}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** Name/value rows, for identity blocks. */
export function htmlFacts(id: string, facts: readonly (readonly [string, string | number | Markup])[]): string {
  const rows = facts.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${cell(v)}</td></tr>`).join('\n');
  return `<table id="${escapeHtml(id)}" class="facts">\n${rows}\n</table>`;
}

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:64rem;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:1.75rem 0 .5rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .6rem;border-bottom:1px solid #eee;vertical-align:top}
table.facts th{width:14rem;font-weight:600}code{font:13px ui-monospace,monospace;word-break:break-all}
.empty{color:#666}.state-ok{color:#176117}.state-warn{color:#8a5300}.state-bad{color:#a01313}
.pin{display:flex;gap:1.5rem;align-items:center;flex-wrap:wrap}footer{margin-top:2rem;color:#666;font-size:.85rem}`;

/** A whole page. `refreshSeconds` reloads it (a status page is left open on a screen). */
export function htmlPage(options: { title: string; heading: string; subtitle?: string; refreshSeconds?: number; body: string }): string {
  const refresh = options.refreshSeconds ? `<meta http-equiv="refresh" content="${options.refreshSeconds}">` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">${refresh}
<title>${escapeHtml(options.title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(options.heading)}</h1>${options.subtitle ? `<p>${escapeHtml(options.subtitle)}</p>` : ''}
${options.body}
</body></html>
`;
}
