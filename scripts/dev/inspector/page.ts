// The inspector page: one server-rendered HTML document with a little script. Decisions arrive over SSE
// (/events) and are filtered in the page; a click loads one request's detail (/api/decisions/:seq); the charts are
// re-rendered by the server (/charts). Every value from a record is set with textContent, never as HTML, because
// records carry caller-chosen identifiers (subject, model) and, with --inspect-prompts, the prompt itself.
import { PAGE_MARKER } from './marker.ts'

const STYLE = `
body { font: 13px system-ui, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 16px; margin: 0 0 8px; } h2 { font-size: 13px; margin: 12px 0 4px; }
.top { display: flex; gap: 24px; align-items: flex-start; flex-wrap: wrap; }
.filters label { margin-right: 10px; } select { font: inherit; }
table { border-collapse: collapse; width: 100%; margin-top: 8px; }
th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #eee; white-space: nowrap; }
tbody tr { cursor: pointer; } tbody tr:hover { background: #f3f6fa; } tr.sel { background: #e3ecf7; }
tr.warn td.outcome { color: #b35c00; } tr.error td.outcome { color: #c0392b; }
#detail { margin-top: 12px; border-top: 2px solid #30638e; padding-top: 8px; }
pre { background: #f7f7f7; padding: 8px; overflow: auto; max-height: 320px; }
mark { background: #ffd166; } .note { color: #666; }
`

const SCRIPT = `
const FILTERS = ['tenant', 'subject', 'code', 'verdict'];
const rows = new Map();
const $ = (id) => document.getElementById(id);
const current = () => Object.fromEntries(FILTERS.map((f) => [f, $('filter-' + f).value]));
function shown(r, f) {
  return (!f.tenant || r.tenant === f.tenant) && (!f.subject || r.sub === f.subject) &&
    (!f.code || r.outcome === f.code) && (!f.verdict || r.verdict === f.verdict);
}
function cell(tr, text, cls) { const td = document.createElement('td'); td.textContent = text == null ? '—' : String(text); if (cls) td.className = cls; tr.appendChild(td); }
function addRow(r) {
  const tr = document.createElement('tr');
  tr.dataset.seq = r.seq; tr.dataset.outcome = r.outcome; tr.dataset.endpoint = r.endpoint || ''; tr.dataset.sub = r.sub || ''; tr.className = r.level;
  for (const [v, cls] of [[r.time], [r.tenant], [r.sub], [r.endpoint], [r.model], [r.status], [r.outcome, 'outcome'], [r.verdict], [r.score], [r.addedMs], [r.upstreamMs]]) cell(tr, v, cls);
  tr.addEventListener('click', () => open(r.seq, tr));
  rows.set(r.seq, { r, tr });
  $('rows').prepend(tr);
  tr.hidden = !shown(r, current());
}
function refilter() { const f = current(); for (const { r, tr } of rows.values()) tr.hidden = !shown(r, f); }
function facet(name, value) {
  const sel = $('filter-' + name);
  if (!value || [...sel.options].some((o) => o.value === value)) return;
  const o = document.createElement('option'); o.value = value; o.textContent = value; sel.appendChild(o);
}
let chartTimer = null;
function refreshCharts() {
  if (chartTimer) return;
  chartTimer = setTimeout(async () => { chartTimer = null; $('charts').innerHTML = await (await fetch('/charts')).text(); }, 300);
}
function receive(r) { addRow(r); facet('tenant', r.tenant); facet('subject', r.sub); facet('code', r.outcome); facet('verdict', r.verdict); refreshCharts(); }
function pre(title, value) {
  const h = document.createElement('h2'); h.textContent = title;
  const p = document.createElement('pre'); p.textContent = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  $('detail').append(h, p);
}
async function open(seq, tr) {
  for (const { tr: other } of rows.values()) other.classList.remove('sel');
  tr.classList.add('sel');
  const d = await (await fetch('/api/decisions/' + seq)).json();
  const box = $('detail'); box.replaceChildren(); box.dataset.seq = seq;
  const h = document.createElement('h2'); h.textContent = 'Request ' + d.decision.requestId + ' — ' + (d.decision['error.type'] || 'ok'); box.append(h);
  pre('Stage by stage', d.trace.map((t) => t.stage.padEnd(13) + t.action.padEnd(12) + (t.ms == null ? '' : (t.ms + ' ms').padEnd(10)) + t.outcome).join('\\n'));
  const s = d.decision.screen;
  pre('Screen', s ? { verdict: s.verdict, enforced: s.enforced, score: s.score, categories: s.categories, rules: s.rules, spans: s.spans } : 'not screened');
  if (d.texts) {
    const hh = document.createElement('h2'); hh.textContent = 'Prompt (--inspect-prompts)'; box.append(hh);
    for (const t of d.texts) {
      const p = document.createElement('pre'); p.className = 'prompt';
      const label = document.createElement('div'); label.className = 'note'; label.textContent = t.path; p.append(label);
      for (const seg of t.segments) { const el = document.createElement(seg.detection ? 'mark' : 'span'); el.textContent = seg.text; if (seg.detection) el.title = seg.detection; p.append(el); }
      box.append(p);
    }
  }
  pre('Limit windows', d.decision.limit ?? 'not checked');
  pre('Txn-Token (decoded by the dev model tier)', d.claims ?? 'no Txn-Token reached the model tier');
  pre('Decision-log line', d.decision);
}
for (const f of FILTERS) $('filter-' + f).addEventListener('change', refilter);
fetch('/api/decisions').then((r) => r.json()).then((list) => { for (const r of list) receive(r); });
const events = new EventSource('/events');
events.onmessage = (e) => receive(JSON.parse(e.data));
events.onopen = () => { $('status').textContent = 'live'; };
events.onerror = () => { $('status').textContent = 'reconnecting…'; };
`

export function inspectorPage(opts: { gatewayUrl: string; proxyUrl: string | null; charts: string }): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
  const select = (name: string) =>
    `<label>${name} <select id="filter-${name}"><option value="">all</option></select></label>`
  const prompts = opts.proxyUrl
    ? `Prompt text is recorded for requests sent through <code>${esc(opts.proxyUrl)}</code> (--inspect-prompts).`
    : 'Prompt text is not shown (start with <code>npm start -- --inspect-prompts</code> to record it locally).'
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Portcullis inspector</title>
<meta name="generator" content="${PAGE_MARKER}"><style>${STYLE}</style></head>
<body>
<h1>Portcullis inspector <span class="note" id="status">connecting…</span></h1>
<p class="note">Decisions of the local gateway at <code>${esc(opts.gatewayUrl)}</code>, newest first. ${prompts}</p>
<div id="charts">${opts.charts}</div>
<div class="filters">${['tenant', 'subject', 'code', 'verdict'].map(select).join('')}</div>
<table><thead><tr><th>time</th><th>tenant</th><th>subject</th><th>endpoint</th><th>model</th><th>status</th><th>outcome</th><th>verdict</th><th>score</th><th>added ms</th><th>upstream ms</th></tr></thead>
<tbody id="rows"></tbody></table>
<div id="detail" class="note">Click a row for its stage-by-stage trace.</div>
<script>${SCRIPT}</script>
</body></html>`
}
