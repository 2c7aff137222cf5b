// Agent Mesh live dashboard: polls the node's HTTP API every 2 s and redraws. No build step, no dependencies.
// Overlays: the Raft leader (/raft), suspected/failed agents and read-only partitions (/health, the failure detector),
// per-agent load bars and task counts (/report), recent consensus decisions (/proposals).
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

// an overlay whose source is unavailable (no Raft leader yet, fewer than 4 agents for pBFT) is left out, not an error
const optional = (path) => api(path).catch(() => null);

function text(el, value) { el.textContent = value; return el; }

/** Per agent: "failed" if any answering agent believes it FAILED, else "suspected" if any suspects it; read-only set. */
function failureView(health) {
  const view = { mark: {}, readOnly: [] };
  if (!health) return view;
  for (const id of health.failed || []) view.mark[id] = "failed";
  for (const rep of health.agents || []) {
    for (const [peer, status] of Object.entries(rep.peers || {})) {
      if (status === "SUSPECT" && !view.mark[peer]) view.mark[peer] = "suspected";
    }
  }
  for (const [id, mode] of Object.entries(health.modes || {})) if (mode === "READ_ONLY") view.readOnly.push(id);
  view.readOnly.sort();
  return view;
}

function fill(a, failures) {
  const mark = failures.mark[a.id];
  if (mark === "failed" || a.state !== "active") return "#ef4444";
  if (mark === "suspected") return "#f97316";
  return "#22c55e";
}

function drawGraph(agents, links, leader, failures) {
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
    const classes = ["agent-node"];
    if (a.id === leader) classes.push("leader");
    if (failures.mark[a.id]) classes.push(failures.mark[a.id]);
    if (failures.readOnly.includes(a.id)) classes.push("read-only");
    g.setAttribute("class", classes.join(" "));
    g.setAttribute("data-agent", a.id);
    const [x, y] = pos[a.id];
    if (a.id === leader || failures.readOnly.includes(a.id)) {
      const ring = document.createElementNS(ns, "circle");
      ring.setAttribute("cx", x); ring.setAttribute("cy", y); ring.setAttribute("r", 19); ring.setAttribute("fill", "none");
      ring.setAttribute("stroke-width", 3);
      ring.setAttribute("stroke", a.id === leader ? "#eab308" : "#a855f7");
      if (a.id !== leader) ring.setAttribute("stroke-dasharray", "4 3");
      g.appendChild(ring);
    }
    const c = document.createElementNS(ns, "circle");
    c.setAttribute("cx", x); c.setAttribute("cy", y); c.setAttribute("r", 14);
    c.setAttribute("fill", fill(a, failures));
    const label = document.createElementNS(ns, "text");
    label.setAttribute("x", x); label.setAttribute("y", y + 32);
    label.setAttribute("fill", "#e2e8f0"); label.setAttribute("font-size", "11"); label.setAttribute("text-anchor", "middle");
    label.textContent = a.id + (a.id === leader ? " (leader)" : "");
    g.appendChild(c); g.appendChild(label);
    svg.appendChild(g);
  }
}

function badge(kind, label) {
  const b = text(document.createElement("span"), label);
  b.className = "badge " + kind;
  return b;
}

function drawAgents(agents, perAgent, leader, failures) {
  const box = $("agents");
  box.innerHTML = "";
  text($("agent-count"), agents.length);
  const loads = {};
  for (const l of perAgent) loads[l.agentId] = l;
  for (const a of agents) {
    const l = loads[a.id];
    // the worker's own account (running + queued) / capacity when the report has it, else the agent's status
    const load = l ? l.utilization : a.load;
    const row = document.createElement("div");
    row.className = "agent-row";
    row.setAttribute("data-agent", a.id);
    const name = text(document.createElement("span"), a.id + " (" + a.node + ")");
    if (a.id === leader) name.appendChild(badge("leader", "raft leader"));
    if (failures.mark[a.id]) name.appendChild(badge(failures.mark[a.id], failures.mark[a.id]));
    if (failures.readOnly.includes(a.id)) name.appendChild(badge("read-only", "read-only"));
    const bar = document.createElement("div");
    bar.className = "bar";
    const fillDiv = document.createElement("div");
    fillDiv.style.width = Math.min(100, Math.round(load * 100)) + "%";
    if (l ? l.hot : load > 0.8) fillDiv.className = "hot";
    bar.appendChild(fillDiv);
    row.appendChild(name);
    row.appendChild(bar);
    row.appendChild(text(document.createElement("span"), Math.round(load * 100) + "%"));
    const tasks = text(document.createElement("span"), l
      ? l.running + " run · " + l.queued + " queued · " + l.completed + " done" : "no report");
    tasks.className = "agent-tasks muted";
    row.appendChild(tasks);
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
    ["consensus decision latency (ms)", fmt(report.consensus.decisionLatencyMillis)],
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

function drawRaft(raft) {
  text($("raft"), raft && raft.leader
    ? "Raft (mesh memory): leader " + raft.leader + ", term " + raft.term + ", commit index " + raft.commitIndex
    : "Raft (mesh memory): no leader known");
  $("raft").setAttribute("data-leader", raft && raft.leader ? raft.leader : "");
}

function drawPartition(failures) {
  text($("partition"), failures.readOnly.length
    ? "read-only partition: " + failures.readOnly.join(", ") + " cannot reach a majority (writes refused there)" : "");
}

function drawDecisions(list) {
  const table = $("decisions");
  table.innerHTML = "";
  if (!list) {
    table.appendChild(text(document.createElement("tr"), "no pBFT committee (it needs at least 4 agents)"));
    return;
  }
  if (list.proposals.length === 0) {
    table.appendChild(text(document.createElement("tr"), "no proposals yet"));
    return;
  }
  for (const p of list.proposals) {
    const tr = document.createElement("tr");
    tr.className = "decision";
    tr.setAttribute("data-proposal", p.proposalId);
    tr.appendChild(text(document.createElement("td"), p.proposalId));
    const st = text(document.createElement("td"), p.status);
    st.className = p.status;
    tr.appendChild(st);
    tr.appendChild(text(document.createElement("td"), p.tally.approve + " approve / " + p.tally.reject + " reject of " + p.tally.eligible));
    tr.appendChild(text(document.createElement("td"), p.decidedAt ? new Date(p.decidedAt).toLocaleTimeString() : ""));
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
    const base = "/swarms/" + encodeURIComponent(current);
    const [status, topology, report, raft, health, proposals] = await Promise.all([
      api(base), api(base + "/topology"), api(base + "/report"),
      optional(base + "/raft"), optional(base + "/health"), optional(base + "/proposals?limit=8"),
    ]);
    const leader = raft ? raft.leader : null;
    const failures = failureView(health);
    drawGraph(status.agents, topology.links, leader, failures);
    drawAgents(status.agents, report.load.agents || [], leader, failures);
    drawReport(report);
    drawRaft(raft);
    drawPartition(failures);
    drawDecisions(proposals);
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
