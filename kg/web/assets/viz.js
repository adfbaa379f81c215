// kg viz: draws the network embedded in #kg-data with vis-network.
// Every string from the data (names, quotes, speakers, sources) is untrusted:
// it reaches the page only through textContent or canvas text, never as HTML.
(function () {
  "use strict";
  var data = kgPage.data(), meta = data.meta;
  var el = kgPage.el, clear = kgPage.clear, kv = kgPage.kv;

  // Edges refer to their quotes by index into data.quotes (each quote is stored once).
  data.edges.forEach(function (e) { e.quoteList = e.quotes.map(function (i) { return data.quotes[i]; }); });
  var nodeById = {}, edgeById = {}, edgesOf = {};
  data.nodes.forEach(function (n) { nodeById[n.id] = n; edgesOf[n.id] = []; });
  data.edges.forEach(function (e) {
    edgeById[e.id] = e;
    edgesOf[e.from].push(e.id);
    if (e.to !== e.from) edgesOf[e.to].push(e.id);
  });

  function edgeName(e) {
    var a = nodeById[e.from].label, b = nodeById[e.to].label;
    return a + (meta.directed ? " → " : " — ") + b;
  }
  function quoteMeta(q) {
    var parts = [];
    parts.push("speaker: " + (q.speaker || "(not attributed)"));
    parts.push("certainty: " + q.certainty);
    parts.push("source: " + q.source + (q.source !== q.doc ? " (" + q.doc + ")" : ""));
    if (q.date) parts.push("date: " + q.date);
    return parts.join(" · ");
  }
  function quoteWho(q) { return q.actor + " " + q.stance + " " + q.target; }

  // Tooltips are DOM elements, so vis-network never parses them as HTML.
  function nodeTip(n) {
    var d = el("div", null, "kg-tip");
    d.appendChild(el("strong", n.label));
    var t = n.type + (n.community > 0 && meta.colourBy === "community" ? " · coalition " + n.community : "");
    d.appendChild(el("div", t, "kg-meta"));
    d.appendChild(el("div", n.activity + " assertion" + (n.activity === 1 ? "" : "s"), "kg-meta"));
    return d;
  }
  function edgeTip(e) {
    var d = el("div", null, "kg-tip");
    d.appendChild(el("strong", edgeName(e)));
    d.appendChild(el("div", e.stance + " · " + e.certainty + " · weight " + e.weight, "kg-meta"));
    var q = e.quoteList[0];
    if (q) {
      d.appendChild(el("div", "“" + q.quote + "”", "kg-quote"));
      d.appendChild(el("div", quoteMeta(q), "kg-meta"));
    }
    if (e.n_quotes > 1) d.appendChild(el("div", "+" + (e.n_quotes - 1) + " more: click the edge", "kg-meta"));
    return d;
  }

  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    return Object.assign({}, n.vis, { id: n.id, label: n.label, title: nodeTip(n) });
  }));
  var edges = new vis.DataSet(data.edges.map(function (e) {
    return Object.assign({}, e.vis, { id: e.id, from: e.from, to: e.to, title: edgeTip(e) });
  }));
  var container = document.getElementById("kg-net");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  window.kgNetwork = network;
  window.kgNodes = nodes;
  window.kgEdges = edges;

  function ready() {
    if (window.kgReady) return;
    window.kgReady = true;
    window.kgReadyAt = performance.now();
    document.body.setAttribute("data-ready", "1");
  }
  if (meta.physics) {
    // Lay out once, then freeze: a large graph must not keep the CPU busy.
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      network.fit({ animation: false });
      ready();
    });
  } else {
    network.once("afterDrawing", ready);
  }
  if (!data.nodes.length) ready();
  if (!meta.physics) network.fit({ animation: false });

  // ---- header, note, legend
  document.getElementById("kg-title").textContent = meta.title;
  var stats = meta.nodes + " nodes · " + meta.edges + " edges · " + meta.assertions + " assertions";
  if (meta.filters && meta.filters !== "none") stats += " · filters: " + meta.filters;
  document.getElementById("kg-stats").textContent = stats;
  // A view that draws nothing (or no edge) says why, over the network; the note bar keeps the rest.
  var noteText = meta.note || "";
  if (meta.empty) {
    var empty = el("div", meta.empty);
    empty.id = "kg-empty";
    empty.setAttribute("role", "status");
    container.appendChild(empty);
    if (noteText.indexOf(meta.empty) === 0) noteText = noteText.slice(meta.empty.length).trim();
  }
  if (noteText) {
    var note = document.getElementById("kg-note");
    note.textContent = noteText;
    note.hidden = false;
  }

  kgPage.legend(document.getElementById("kg-legend"), meta.legend);

  // ---- side panel
  var panel = document.getElementById("kg-panel");
  var panelTitle = document.getElementById("kg-panel-title");
  var panelBody = document.getElementById("kg-panel-body");
  document.getElementById("kg-panel-close").addEventListener("click", function () { panel.hidden = true; });

  function showEdge(id) {
    var e = edgeById[id];
    if (!e) return;
    clear(panelBody);
    panelTitle.textContent = edgeName(e);
    var dl = el("dl", null, "kg-kv");
    kv(dl, "stance", e.stance);
    kv(dl, "certainty", e.certainty);
    kv(dl, "weight", e.weight);
    if (e.shared && e.shared.length) {
      var listed = e.shared.slice(0, 20).join("; ") + (e.shared.length > 20 ? "; … " + (e.shared.length - 20) + " more" : "");
      kv(dl, meta.view === "conflict" ? "targets" : "shared", listed);
    }
    panelBody.appendChild(dl);
    var shown = e.quoteList.length;
    var heading = e.n_quotes > shown ? "Quotes (" + shown + " of " + e.n_quotes + ")" : "Quotes (" + e.n_quotes + ")";
    panelBody.appendChild(el("h3", heading));
    var ul = el("ul", null, "kg-quotes");
    e.quoteList.forEach(function (q) {
      var who = meta.view === "congruence" || meta.view === "conflict" ? quoteWho(q) : null;
      ul.appendChild(kgPage.quoteItem(q, meta.stanceColours[q.stance], who, quoteMeta(q)));
    });
    panelBody.appendChild(ul);
    kgPage.showPanel(panel, "edge", id);
  }
  function showNode(id) {
    var n = nodeById[id];
    if (!n) return;
    clear(panelBody);
    panelTitle.textContent = n.label;
    var dl = el("dl", null, "kg-kv");
    kv(dl, "type", n.type);
    if (n.community > 0) kv(dl, "community", n.community);
    kv(dl, "assertions", n.activity);
    kv(dl, "edges", edgesOf[id].length);
    panelBody.appendChild(dl);
    var ids = edgesOf[id].slice().sort(function (a, b) { return edgeById[b].weight - edgeById[a].weight; });
    kgPage.edgeList(panelBody, "Edges", ids, function (eid) {
      var e = edgeById[eid];
      return edgeName(e) + " (" + e.stance + ", " + e.weight + ")";
    }, network, showEdge);
    kgPage.showPanel(panel, "node", id);
  }
  kgPage.onClick(network, showNode, showEdge);

  // ---- search
  var labels = document.getElementById("kg-labels");
  data.nodes.slice().sort(function (a, b) { return a.label.localeCompare(b.label); }).forEach(function (n) {
    var o = document.createElement("option");
    o.value = n.label;
    labels.appendChild(o);
  });
  var status = document.getElementById("kg-search-status");
  function find(text) {
    var q = String(text || "").trim().toLocaleLowerCase();
    if (!q) return null;
    var tests = [
      function (l) { return l === q; },
      function (l) { return l.indexOf(q) === 0; },
      function (l) { return l.indexOf(q) >= 0; }
    ];
    for (var i = 0; i < tests.length; i++) {
      for (var j = 0; j < data.nodes.length; j++) {
        if (tests[i](data.nodes[j].label.toLocaleLowerCase())) return data.nodes[j].id;
      }
    }
    return null;
  }
  function search(text) {
    var id = find(text);
    if (id === null) {
      status.textContent = String(text || "").trim() ? "no node matches" : "";
      return null;
    }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: false });
    showNode(id);
    status.textContent = "found: " + nodeById[id].label;
    return id;
  }
  window.kgSearch = search;
  var input = document.getElementById("kg-search");
  input.addEventListener("keydown", function (ev) { if (ev.key === "Enter") search(input.value); });
  input.addEventListener("change", function () { search(input.value); });
  document.getElementById("kg-search-go").addEventListener("click", function () { search(input.value); });
})();
