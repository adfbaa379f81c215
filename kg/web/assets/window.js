// kg viz --window: one actor network per moving time window, a slider to move between them.
// Every string from the data (names, concepts, quotes, sources) is untrusted:
// it reaches the page only through textContent or canvas text, never as HTML.
(function () {
  "use strict";
  var data = kgPage.data(), meta = data.meta;
  var el = kgPage.el, clear = kgPage.clear, kv = kgPage.kv;
  var STANCE_COLOURS = { supports: "#1a9850", opposes: "#d73027" };
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  var nodeById = {};
  data.nodes.forEach(function (n) { nodeById[n.id] = n; });
  // of the window shown: its nodes, ties, each node's ties, and what each node said per concept
  var current = -1, windowNodes = {}, windowEdges = {}, edgesOf = {}, saidOf = {};

  // The concepts both ends of a tie spoke on in the window: [concept, a's entry, b's entry], in concept order;
  // an entry is [concept, stances, number of quotes, the first quotes].
  function shared(e) {
    var a = saidOf[e.from] || {}, b = saidOf[e.to] || {}, out = [];
    Object.keys(a).forEach(function (c) { if (b[c]) out.push([+c, a[c], b[c]]); });
    return out.sort(function (x, y) { return x[0] - y[0]; });
  }

  function edgeName(e) { return nodeById[e.from].label + " — " + nodeById[e.to].label; }
  function quoteMeta(q) {
    var parts = ["speaker: " + (q.speaker || "(not attributed)"), "source: " + q.source];
    if (q.date) parts.push("date: " + q.date);
    return parts.join(" · ");
  }

  // Tooltips are DOM elements, so vis-network never parses them as HTML.
  function nodeTip(n, w) {
    var d = el("div", null, "kg-tip");
    d.appendChild(el("strong", n.label));
    d.appendChild(el("div", plural(w.activity, "statement") + " in this window", "kg-meta"));
    return d;
  }
  function edgeTip(e) {
    var d = el("div", null, "kg-tip");
    d.appendChild(el("strong", edgeName(e)));
    d.appendChild(el("div", "weight " + e.weight + " · " + plural(shared(e).length, "concept") + " both spoke on",
      "kg-meta"));
    return d;
  }

  var nodes = new vis.DataSet([]);
  var edges = new vis.DataSet([]);
  var container = document.getElementById("kg-net");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  window.kgNetwork = network;
  window.kgNodes = nodes;
  window.kgEdges = edges;

  // ---- header, note, legend
  document.getElementById("kg-title").textContent = meta.title;
  var stats = plural(meta.windows, "window") + " of " + meta.window + ", every " + meta.step + " · " +
    plural(meta.nodes, "actor");
  if (meta.filters && meta.filters !== "none") stats += " · filters: " + meta.filters;
  document.getElementById("kg-stats").textContent = stats;
  if (meta.note) {
    var note = document.getElementById("kg-note");
    note.textContent = meta.note;
    note.hidden = false;
  }
  kgPage.legend(document.getElementById("kg-legend"), meta.legend);

  // ---- side panel
  var panel = document.getElementById("kg-panel");
  var panelTitle = document.getElementById("kg-panel-title");
  var panelBody = document.getElementById("kg-panel-body");
  document.getElementById("kg-panel-close").addEventListener("click", function () {
    panel.hidden = true;
    panel.removeAttribute("data-node");
    panel.removeAttribute("data-edge");
  });
  function windowLine() {
    var w = data.windows[current];
    return w.start + " – " + w.stop;
  }
  function showEdge(id) {
    var e = windowEdges[id];
    if (!e) { panel.hidden = true; return; }
    clear(panelBody);
    panelTitle.textContent = edgeName(e);
    var dl = el("dl", null, "kg-kv");
    kv(dl, "window", windowLine());
    kv(dl, "weight", e.weight);
    panelBody.appendChild(dl);
    var both = shared(e);
    panelBody.appendChild(el("h3", "Concepts both spoke on (" + both.length + ")"));
    var ul = el("ul", null, "kg-topics");
    both.slice(0, meta.maxTopics).forEach(function (t) {
      ul.appendChild(el("li", data.concepts[t[0]] + ": " + nodeById[e.from].label + " " + t[1][1] + ", " +
        nodeById[e.to].label + " " + t[2][1]));
    });
    if (both.length > meta.maxTopics) ul.appendChild(el("li", "… " + (both.length - meta.maxTopics) + " more"));
    panelBody.appendChild(ul);
    var refs = [], total = 0;
    both.forEach(function (t) {
      total += t[1][2] + t[2][2];
      t[1][3].concat(t[2][3]).forEach(function (i) { if (refs.length < meta.maxQuotes) refs.push(i); });
    });
    if (total) {
      panelBody.appendChild(el("h3", "Quotes (" + (total > refs.length ? refs.length + " of " + total : total) + ")"));
      var qs = el("ul", null, "kg-quotes");
      refs.forEach(function (i) {
        var q = data.quotes[i];
        qs.appendChild(kgPage.quoteItem(q, STANCE_COLOURS[q.stance], q.actor + " " + q.stance + " " + q.target,
                                        quoteMeta(q)));
      });
      panelBody.appendChild(qs);
    }
    kgPage.showPanel(panel, "edge", id);
  }
  function showNode(id) {
    var n = nodeById[id], w = windowNodes[id];
    if (!n || !w) { panel.hidden = true; return; }
    clear(panelBody);
    panelTitle.textContent = n.label;
    var dl = el("dl", null, "kg-kv");
    kv(dl, "window", windowLine());
    kv(dl, "statements", w.activity);
    kv(dl, "ties", (edgesOf[id] || []).length);
    kv(dl, "all windows", plural(n.activity, "statement"));
    panelBody.appendChild(dl);
    var ids = (edgesOf[id] || []).slice().sort(function (a, b) {
      return Math.abs(windowEdges[b].weight) - Math.abs(windowEdges[a].weight);
    });
    kgPage.edgeList(panelBody, "Ties in this window", ids, function (eid) {
      return edgeName(windowEdges[eid]) + " (" + windowEdges[eid].weight + ")";
    }, network, showEdge);
    kgPage.showPanel(panel, "node", id);
  }
  kgPage.onClick(network, showNode, showEdge);

  // ---- the time slider
  var slider = document.getElementById("kg-slider");
  var range = document.getElementById("kg-range");
  var wstats = document.getElementById("kg-window-stats");
  // over the network (vis-network empties its container, so this comes after it)
  var empty = el("div", null);
  empty.id = "kg-empty";
  empty.setAttribute("role", "status");
  empty.hidden = true;
  container.appendChild(empty);
  slider.max = String(Math.max(data.windows.length - 1, 0));
  slider.disabled = data.windows.length < 2;

  function show(k) {
    if (!data.windows.length) {
      range.textContent = "no window";
      empty.textContent = meta.note || "No window to show.";
      empty.hidden = false;
      return;
    }
    k = Math.max(0, Math.min(data.windows.length - 1, k | 0));
    if (k === current) return;
    current = k;
    var w = data.windows[k];
    windowNodes = {};
    windowEdges = {};
    edgesOf = {};
    saidOf = {};
    w.nodes.forEach(function (n) {
      windowNodes[n.id] = n;
      edgesOf[n.id] = [];
      saidOf[n.id] = {};
      n.said.forEach(function (s) { saidOf[n.id][s[0]] = s; });
    });
    w.edges.forEach(function (e) { windowEdges[e.id] = e; edgesOf[e.from].push(e.id); edgesOf[e.to].push(e.id); });
    nodes.clear();
    edges.clear();
    nodes.add(w.nodes.map(function (wn) {
      var n = nodeById[wn.id];
      var size = Math.round(10 * (8 + 20 * Math.sqrt(wn.activity / meta.topActivity))) / 10;
      return { id: n.id, label: n.label, x: n.x, y: n.y, size: size, title: nodeTip(n, wn) };
    }));
    edges.add(w.edges.map(function (e) {
      var colour = e.weight > 0 ? meta.colours.positive : meta.colours.negative;
      var width = meta.topWeight ? 1 + 7 * Math.abs(e.weight) / meta.topWeight : 1;
      return { id: e.id, from: e.from, to: e.to, width: width, title: edgeTip(e),
               color: { color: colour, highlight: colour, hover: colour, opacity: 0.85 } };
    }));
    slider.value = String(k);
    var text = w.start + " – " + w.stop;
    range.textContent = text;
    slider.setAttribute("aria-valuetext", text);
    wstats.textContent = "window " + (k + 1) + " of " + data.windows.length + " · " + plural(w.statements, "statement") +
      " · " + plural(w.nodes.length, "actor") + " · " + plural(w.edges.length, "tie");
    empty.hidden = w.nodes.length > 0;
    empty.textContent = w.nodes.length ? "" : "No statements in this window.";
    // the panel follows the window: the same node or tie, if it is still there
    var nid = panel.getAttribute("data-node"), eid = panel.getAttribute("data-edge");
    if (!panel.hidden && nid) showNode(nid);
    else if (!panel.hidden && eid) showEdge(eid);
    document.body.setAttribute("data-window", String(k));
  }
  window.kgShow = show;
  window.kgCurrent = function () { return current; };
  slider.addEventListener("input", function () { stop(); show(parseInt(slider.value, 10)); });
  document.getElementById("kg-prev").addEventListener("click", function () { stop(); show(current - 1); });
  document.getElementById("kg-next").addEventListener("click", function () { stop(); show(current + 1); });
  var timer = null, play = document.getElementById("kg-play");
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; play.textContent = "Play"; }
  }
  play.disabled = data.windows.length < 2;
  play.addEventListener("click", function () {
    if (timer !== null) { stop(); return; }
    if (current >= data.windows.length - 1) show(0);
    play.textContent = "Pause";
    timer = setInterval(function () {
      if (current >= data.windows.length - 1) { stop(); return; }
      show(current + 1);
    }, 700);
  });

  // One view for every window: the box around every actor of any window, so that none runs off the screen.
  function fitAll() {
    if (!data.nodes.length) return;
    var xs = data.nodes.map(function (n) { return n.x; }), ys = data.nodes.map(function (n) { return n.y; });
    var x0 = Math.min.apply(null, xs) - 60, x1 = Math.max.apply(null, xs) + 60;
    var y0 = Math.min.apply(null, ys) - 60, y1 = Math.max.apply(null, ys) + 60;
    var scale = Math.min(container.clientWidth / (x1 - x0), container.clientHeight / (y1 - y0), 1.5);
    network.moveTo({ position: { x: (x0 + x1) / 2, y: (y0 + y1) / 2 }, scale: scale, animation: false });
  }
  function ready() {
    if (window.kgReady) return;
    window.kgReady = true;
    document.body.setAttribute("data-ready", "1");
  }
  network.once("afterDrawing", ready);
  show(0);
  fitAll();
  network.redraw();
  if (!data.windows.length || !data.windows[0].nodes.length) ready();
})();
