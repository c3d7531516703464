import { reportCss } from '../reports/annual-report-page';

/**
 * The console's only stylesheet and script, served from /console/assets so the pages' Content
 * Security Policy can forbid inline code. High-contrast colours (text at least 4.5:1), a visible
 * focus ring, print without the navigation.
 */
export const CONSOLE_CSS = `
:root { --text: #0b0c0c; --muted: #484949; --link: #1d4f91; --line: #b1b4b6; --focus: #ffdd00; --met: #00703c; --late: #8a4b00; --breached: #b10e1e; --pending: #484949; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: var(--text); background: #fff; }
a { color: var(--link); } a:visited { color: #4c2c92; }
a:focus, button:focus, input:focus, select:focus, summary:focus { outline: 3px solid var(--focus); outline-offset: 0; box-shadow: 0 0 0 5px var(--text); }
.skip { position: absolute; left: -9999px; } .skip:focus { left: 1rem; top: 1rem; background: var(--focus); color: var(--text); padding: .5rem; z-index: 1; }
header.site { background: var(--text); color: #fff; padding: .6rem 1rem; display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between; }
header.site a { color: #fff; } header.site .service { font-weight: 700; font-size: 1.1rem; text-decoration: none; }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 1rem; margin: 0; padding: 0; }
nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
.who { display: flex; gap: .75rem; align-items: center; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.8rem; margin: .5rem 0 1rem; } h2 { font-size: 1.35rem; margin-top: 2rem; border-bottom: 2px solid var(--line); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; } caption { text-align: left; font-weight: 700; padding: .25rem 0; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--line); } td.num { font-variant-numeric: tabular-nums; }
form.filters, form.replay { display: flex; flex-wrap: wrap; gap: .75rem 1.25rem; align-items: flex-end; margin: .5rem 0 1rem; }
label { display: block; font-weight: 600; } .hint { color: var(--muted); font-size: .9rem; }
input, select, button { font: inherit; padding: .3rem .5rem; border: 2px solid var(--text); background: #fff; color: var(--text); }
button, .button { background: #00703c; color: #fff; border: 2px solid #00703c; padding: .35rem .9rem; cursor: pointer; text-decoration: none; display: inline-block; }
header.site button { background: transparent; border-color: #fff; color: #fff; }
.error { border-left: 5px solid var(--breached); padding: .5rem 1rem; } .notice { border-left: 5px solid var(--link); padding: .5rem 1rem; }
.status-met { color: var(--met); } .status-met_late { color: var(--late); } .status-breached { color: var(--breached); } .status-pending { color: var(--pending); }
.tag { display: inline-block; border: 2px solid currentColor; padding: 0 .4rem; font-weight: 700; font-size: .85rem; }
.timeline { width: 100%; height: auto; border: 1px solid var(--line); }
.timeline text { font-size: 12px; fill: var(--text); } .timeline .axis line { stroke: var(--line); }
.timeline .fact { fill: var(--link); } .timeline .fact.late-recorded { fill: #fff; stroke: var(--link); stroke-width: 2; }
.timeline .bar-met { fill: var(--met); } .timeline .bar-met_late { fill: var(--late); } .timeline .bar-breached { fill: var(--breached); } .timeline .bar-pending { fill: var(--pending); }
.timeline .asof { stroke: var(--text); stroke-dasharray: 4 3; }
.replay input[type="range"] { width: min(36rem, 90vw); }
.pager { display: flex; gap: 1rem; }
dl.data { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0; } dl.data dt { font-weight: 600; } dl.data dd { margin: 0; overflow-wrap: anywhere; }
.report { border-top: 2px solid var(--line); margin-top: 1rem; }
${reportCss('.report')}
@media print { header.site, nav, form, .skip, .pager { display: none; } main { max-width: none; } }
`;

/** Moving the replay control names the fact it stands on at once, and shows it when let go. */
export const CONSOLE_JS = `
document.querySelectorAll('form[data-autosubmit]').forEach(function (form) {
  var range = form.querySelector('input[type="range"]');
  var output = form.querySelector('output');
  var labels = Array.prototype.map.call(form.querySelectorAll('[data-step-label]'), function (item) { return item.textContent; });
  if (range && output) {
    range.addEventListener('input', function () { output.textContent = labels[Number(range.value)] || ''; range.setAttribute('aria-valuetext', output.textContent); });
    range.addEventListener('change', function () { form.submit(); });
  }
});
`;
