// The page ships inside the build (dist holds no other assets); its script avoids template syntax on purpose.

/** The dashboard page: charts, alerts and prompt labels; data from `/dashboard/api/series`. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ballast dashboard</title>
<link rel="stylesheet" href="/dashboard/vendor/uplot.css">
<style>
  [hidden] { display: none !important; }
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
  header { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; padding: 10px 16px; background: #1d2330; color: #fff; }
  header h1 { font-size: 17px; margin: 0 12px 0 0; }
  header label { display: flex; gap: 6px; align-items: center; }
  input, select, button { font: inherit; padding: 3px 6px; }
  main { padding: 12px 16px; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 12px; }
  .panel { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 8px 10px; }
  .panel h2 { font-size: 14px; margin: 0 0 6px; }
  .chart { min-height: 220px; }
  #status { margin-left: auto; font-size: 12px; opacity: .85; }
  .alert { padding: 4px 6px; border-left: 4px solid #e8a33d; margin: 4px 0; background: #fff8ec; }
  .alert.critical { border-color: #d64545; background: #fdeeee; }
  .alert.resolved { border-color: #3d9a5b; background: #eef8f1; opacity: .8; }
  .muted { color: #6b7380; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: 3px 6px; border-bottom: 1px solid #eef0f3; }
  .error { color: #b42323; }
</style>
</head>
<body>
<header>
  <h1>Ballast</h1>
  <label>Range
    <select id="range">
      <option value="15">last 15 min</option>
      <option value="60" selected>last hour</option>
      <option value="360">last 6 hours</option>
      <option value="1440">last 24 hours</option>
      <option value="custom">custom…</option>
    </select>
  </label>
  <label id="custom" hidden>from <input id="from" type="datetime-local"> to <input id="to" type="datetime-local"></label>
  <label><input id="live" type="checkbox" checked> live (5 s)</label>
  <label>Metrics token <input id="token" type="password" size="14" autocomplete="off" placeholder="if configured"></label>
  <span id="status">loading…</span>
</header>
<main>
  <div class="grid">
    <section class="panel"><h2>Open alerts</h2><div id="alerts" class="muted">none</div></section>
    <section class="panel"><h2>Prompt versions and labels</h2>
      <div><label>Admin key <input id="adminKey" type="password" size="18" autocomplete="off"></label> <button id="loadPrompts">Load</button></div>
      <div id="prompts" class="muted">Enter the admin key (BALLAST_ADMIN_KEY) to see labels and roll back.</div>
    </section>
    <section class="panel"><h2>Traffic (requests / min)</h2><div class="chart" id="chart-traffic"></div></section>
    <section class="panel"><h2>Tokens / min</h2><div class="chart" id="chart-tokens"></div></section>
    <section class="panel"><h2>Cost (USD / min)</h2><div class="chart" id="chart-cost"></div></section>
    <section class="panel"><h2>Latency (ms)</h2><div class="chart" id="chart-latency"></div></section>
    <section class="panel"><h2>Time to first token (ms)</h2><div class="chart" id="chart-ttft"></div></section>
    <section class="panel"><h2>Cache hit rate</h2><div class="chart" id="chart-cache"></div></section>
    <section class="panel"><h2>Guardrail verdicts / min</h2><div class="chart" id="chart-verdicts"></div></section>
    <section class="panel"><h2>Quality score per prompt version</h2><div class="chart" id="chart-quality"></div></section>
  </div>
</main>
<script src="/dashboard/vendor/uplot.js"></script>
<script src="/dashboard/app.js"></script>
</body>
</html>
`;

/** The page's script: fetches the series, draws uPlot charts, lists alerts, rolls labels back. */
export const DASHBOARD_JS = `'use strict';
(function () {
  var COLORS = ['#2f6fde', '#d64545', '#e8a33d', '#3d9a5b', '#8a4fd1', '#1aa3a3', '#b5651d', '#6b7380'];
  var charts = {};
  window.ballastCharts = charts;
  var $ = function (id) { return document.getElementById(id); };
  var tokenInput = $('token');
  tokenInput.value = sessionStorage.getItem('ballast.metricsToken') || '';
  tokenInput.addEventListener('change', function () { sessionStorage.setItem('ballast.metricsToken', tokenInput.value); refresh(); });

  function range() {
    var choice = $('range').value;
    if (choice === 'custom') {
      var from = Date.parse($('from').value), to = Date.parse($('to').value);
      if (isFinite(from) && isFinite(to)) return { from: from, to: to };
    }
    var minutes = Number(choice === 'custom' ? 60 : choice);
    var now = Date.now();
    return { from: now - minutes * 60000, to: now };
  }

  function draw(name, seriesDefs, data) {
    var el = $('chart-' + name);
    var chart = charts[name];
    var labels = seriesDefs.map(function (s) { return s.label; }).join('|');
    if (chart && chart.ballastLabels === labels) { chart.setData(data); return; }
    if (chart) chart.destroy();
    var opts = {
      width: Math.max(300, el.clientWidth), height: 220,
      scales: { x: { time: true } },
      series: [{}].concat(seriesDefs.map(function (s, i) {
        return { label: s.label, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: false, points: { show: true, size: 4 } };
      })),
      axes: [{}, { size: 60 }],
    };
    chart = new uPlot(opts, data, el);
    chart.ballastLabels = labels;
    charts[name] = chart;
  }

  function plot(d) {
    var x = d.minutes;
    draw('traffic', [{ label: 'completed' }, { label: 'blocked' }, { label: 'failed' }], [x, d.traffic.completed, d.traffic.blocked, d.traffic.failed]);
    draw('tokens', [{ label: 'input' }, { label: 'output' }], [x, d.tokens.input, d.tokens.output]);
    draw('cost', [{ label: 'USD' }], [x, d.costUsd]);
    draw('latency', [{ label: 'p50' }, { label: 'p95' }, { label: 'p99' }], [x, d.latencyMs.p50, d.latencyMs.p95, d.latencyMs.p99]);
    draw('ttft', [{ label: 'p50' }, { label: 'p95' }, { label: 'p99' }], [x, d.ttftMs.p50, d.ttftMs.p95, d.ttftMs.p99]);
    draw('cache', [{ label: 'hit rate' }], [x, d.cacheHitRate]);
    draw('verdicts', [{ label: 'pass' }, { label: 'redact' }, { label: 'block' }], [x, d.verdicts.pass, d.verdicts.redact, d.verdicts.block]);
    var q = d.quality.length ? d.quality : [{ prompt: 'no scores', version: '', mean: x.map(function () { return null; }) }];
    draw('quality', q.map(function (s) { return { label: s.prompt + (s.version ? ' v' + s.version : '') }; }), [x].concat(q.map(function (s) { return s.mean; })));
  }

  function alertLine(a) {
    var div = document.createElement('div');
    div.className = 'alert ' + a.severity + (a.state === 'resolved' ? ' resolved' : '');
    var when = a.state === 'resolved' ? 'resolved ' + new Date(a.resolvedAt).toLocaleTimeString() : 'since ' + new Date(a.firedAt).toLocaleTimeString();
    div.textContent = a.kind + ' — ' + a.message + ' (' + when + ')';
    return div;
  }

  function showAlerts(alerts) {
    var box = $('alerts');
    box.textContent = '';
    box.className = alerts.open.length ? '' : 'muted';
    if (!alerts.open.length) box.textContent = 'none';
    alerts.open.forEach(function (a) { box.appendChild(alertLine(a)); });
    alerts.resolved.slice(0, 5).forEach(function (a) { box.appendChild(alertLine(a)); });
  }

  var inFlight = false;
  function refresh() {
    if (inFlight) return;
    inFlight = true;
    var r = range();
    var headers = tokenInput.value ? { authorization: 'Bearer ' + tokenInput.value } : {};
    fetch('/dashboard/api/series?from=' + Math.floor(r.from) + '&to=' + Math.ceil(r.to), { headers: headers })
      .then(function (res) { return res.json().then(function (body) { return { ok: res.ok, body: body }; }); })
      .then(function (res) {
        if (!res.ok) throw new Error(res.body.error ? res.body.error.message : 'the series could not be loaded');
        plot(res.body);
        showAlerts(res.body.alerts);
        $('status').className = '';
        $('status').textContent = 'updated ' + new Date().toLocaleTimeString() + (res.body.access === 'all' ? ' · per-tenant detail' : ' · totals');
      })
      .catch(function (e) { $('status').className = 'error'; $('status').textContent = e.message; })
      .then(function () { inFlight = false; });
  }

  function admin(path, init) {
    var opts = init || {};
    opts.headers = Object.assign({ authorization: 'Bearer ' + $('adminKey').value, 'x-ballast-actor': 'dashboard' }, opts.headers || {});
    return fetch('/v1/admin/prompts' + path, opts).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) throw new Error(body.error ? body.error.code + ': ' + body.error.message : 'HTTP ' + res.status);
        return body;
      });
    });
  }

  function loadPrompts() {
    var box = $('prompts');
    admin('').then(function (body) {
      var table = document.createElement('table');
      table.innerHTML = '<tr><th>prompt</th><th>latest</th><th>label</th><th>version</th><th></th></tr>';
      body.prompts.forEach(function (p) {
        Object.keys(p.labels).forEach(function (label) {
          var l = p.labels[label];
          var tr = document.createElement('tr');
          tr.dataset.prompt = p.name;
          tr.dataset.label = label;
          [p.name, 'v' + p.latestVersion, label, 'v' + l.version + (l.canary ? ' (canary v' + l.canary.version + ' ' + Math.round(l.canary.share * 100) + '%)' : '')].forEach(function (text, i) {
            var td = document.createElement('td');
            td.textContent = text;
            if (i === 3) td.className = 'label-version';
            tr.appendChild(td);
          });
          var td = document.createElement('td');
          var button = document.createElement('button');
          button.textContent = 'Roll back';
          button.className = 'rollback';
          button.addEventListener('click', function () { rollback(p.name, label, button); });
          td.appendChild(button);
          tr.appendChild(td);
          table.appendChild(tr);
        });
      });
      box.className = '';
      box.textContent = '';
      box.appendChild(table);
    }).catch(function (e) { box.className = 'error'; box.textContent = e.message; });
  }

  function rollback(name, label, button) {
    button.disabled = true;
    admin('/' + encodeURIComponent(name) + '/rollback', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ label: label, reason: 'rolled back from the dashboard' }),
    }).then(loadPrompts).catch(function (e) { $('prompts').className = 'error'; $('prompts').textContent = e.message; });
  }

  $('loadPrompts').addEventListener('click', loadPrompts);
  $('range').addEventListener('change', function () { $('custom').hidden = $('range').value !== 'custom'; refresh(); });
  $('from').addEventListener('change', refresh);
  $('to').addEventListener('change', refresh);
  setInterval(function () { if ($('live').checked && $('range').value !== 'custom') refresh(); }, 5000);
  refresh();
})();
`;
