// Agent Mesh live dashboard: polls the node's HTTP API every 2 s and redraws. No build step, no dependencies.
"use strict";
const token = new URLSearchParams(location.search).get("token");
const headers = token ? { Authorization: "Bearer " + token } : {};
const $ = (id) => document.getElementById(id);
let current = new URLSearchParams(location.search).get("swarm");

async function api(path) {
  const r = await fetch("/api/v1" + path, { headers });
  if (!r.ok) throw new Error(path + ": " + r.status);
  return r.json();
}

function text(el, value) { el.textContent = value; return el; }

function drawGraph(agents, links) {
  const svg = $("graph");
  svg.innerHTML = "";
  const n = agents.length, cx = 265, cy = 265, r = 210;
  const pos = {};
  // the overlay is a ring over the sorted ids (plus chords): placing agents in that order shows the ring
  agents = [...agents].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  agents.forEach((a, i) => {
    const angle = (2 * Math.PI * i) / Math.max(n, 1) - Math.PI / 2;
    pos[a.id] = [cx + r * Math.cos(angle), cy + r * Math.sin(angle)];
  });
  const ns = "http://www.w3.org/2000/svg";
  for (const [a, b] of links) {
    if (!pos[a] || !pos[b]) continue;
    const line = document.createElementNS(ns, "line");
    line.setAttribute("x1", pos[a][0]); line.setAttribute("y1", pos[a][1]);
    line.setAttribute("x2", pos[b][0]); line.setAttribute("y2", pos[b][1]);
    line.setAttribute("stroke", "#475569"); line.setAttribute("class", "link");
    svg.appendChild(line);
  }
  for (const a of agents) {
    const g = document.createElementNS(ns, "g");
    g.setAttribute("class", "agent-node");
    g.setAttribute("data-agent", a.id);
    const c = document.createElementNS(ns, "circle");
    c.setAttribute("cx", pos[a.id][0]); c.setAttribute("cy", pos[a.id][1]); c.setAttribute("r", 14);
    c.setAttribute("fill", a.state === "active" ? "#22c55e" : "#ef4444");
    const label = document.createElementNS(ns, "text");
    label.setAttribute("x", pos[a.id][0]); label.setAttribute("y", pos[a.id][1] + 28);
    label.setAttribute("fill", "#e2e8f0"); label.setAttribute("font-size", "11"); label.setAttribute("text-anchor", "middle");
    label.textContent = a.id;
    g.appendChild(c); g.appendChild(label);
    svg.appendChild(g);
  }
}

function drawAgents(agents) {
  const box = $("agents");
  box.innerHTML = "";
  text($("agent-count"), agents.length);
  for (const a of agents) {
    const row = document.createElement("div");
    row.className = "agent-row";
    row.setAttribute("data-agent", a.id);
    const bar = document.createElement("div");
    bar.className = "bar";
    const fill = document.createElement("div");
    fill.style.width = Math.min(100, Math.round(a.load * 100)) + "%";
    if (a.load > 0.8) fill.className = "hot";
    bar.appendChild(fill);
    row.appendChild(text(document.createElement("span"), a.id + " (" + a.node + ")"));
    row.appendChild(bar);
    row.appendChild(text(document.createElement("span"), Math.round(a.load * 100) + "%"));
    box.appendChild(row);
  }
}

function drawReport(report) {
  const rows = [
    ["tasks submitted", report.throughput.submitted, "tasks-submitted"],
    ["completed", report.throughput.completed, "tasks-completed"],
    ["failed", report.throughput.failed, "tasks-failed"],
    ["open", report.throughput.pending, "tasks-open"],
    ["latency p50 / p99 (ms)", fmt(report.throughput.latencyP50Millis) + " / " + fmt(report.throughput.latencyP99Millis)],
    ["connectivity", Math.round(report.network.connectivity * 100) + "% (" + report.network.reachable + "/" + report.network.agents + ")"],
    ["utilization mean / stddev", report.load.meanUtilization.toFixed(2) + " / " + report.load.utilizationStdDev.toFixed(2)],
    ["hotspots", report.load.hotspots.join(", ") || "none"],
    ["steals / migrations", report.load.steals + " / " + report.load.migrations],
    ["consensus decision latency", fmt(report.consensus.decisionLatencyMillis)],
  ];
  const table = $("report");
  table.innerHTML = "";
  for (const [k, v, id] of rows) {
    const tr = document.createElement("tr");
    tr.appendChild(text(document.createElement("td"), k));
    const td = text(document.createElement("td"), v);
    if (id) td.id = id;
    tr.appendChild(td);
    table.appendChild(tr);
  }
}

const fmt = (v) => (v === null || v === undefined ? "not measured" : Math.round(v));

async function refresh() {
  try {
    const list = (await api("/swarms")).swarms;
    const select = $("swarm");
    if (select.options.length !== list.length) {
      select.innerHTML = "";
      for (const id of list) select.appendChild(new Option(id, id));
    }
    if (!current || !list.includes(current)) current = list[0];
    if (!current) { text($("updated"), "no swarm yet"); return; }
    select.value = current;
    const [status, topology, report] = await Promise.all([
      api("/swarms/" + encodeURIComponent(current)),
      api("/swarms/" + encodeURIComponent(current) + "/topology"),
      api("/swarms/" + encodeURIComponent(current) + "/report"),
    ]);
    drawGraph(status.agents, topology.links);
    drawAgents(status.agents);
    drawReport(report);
    text($("updated"), "updated " + new Date().toLocaleTimeString());
    text($("error"), "");
    document.body.setAttribute("data-refreshed", String(Date.now()));
  } catch (e) {
    text($("error"), e.message);
  }
}

$("swarm").addEventListener("change", (e) => { current = e.target.value; refresh(); });
refresh();
setInterval(refresh, 2000);
