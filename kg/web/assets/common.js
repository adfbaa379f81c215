// What every kg page's script shares (kg viz, kg viz --window): building elements from untrusted
// text (always textContent, never HTML), the legend, and the side panel's lists.
var kgPage = (function () {
  "use strict";
  // The page's data (inline JSON, read as data), also left on window for tests and the console.
  function data() {
    var d = JSON.parse(document.getElementById("kg-data").textContent);
    window.kgData = d;
    window.kgReady = false;
    return d;
  }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function kv(dl, key, value) {
    dl.appendChild(el("dt", key));
    dl.appendChild(el("dd", value));
  }
  var SVG = "http://www.w3.org/2000/svg";
  function lineSample(colour, dashes, width) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", "34");
    svg.setAttribute("height", "12");
    var line = document.createElementNS(SVG, "line");
    line.setAttribute("x1", "1"); line.setAttribute("y1", "6");
    line.setAttribute("x2", "33"); line.setAttribute("y2", "6");
    line.setAttribute("stroke", colour);
    line.setAttribute("stroke-width", String(width || 2.5));
    if (dashes) line.setAttribute("stroke-dasharray", dashes.join(" "));
    svg.appendChild(line);
    return svg;
  }
  // The legend's sections: swatches (nodes) or line samples (section.kind "line").
  function legend(container, sections) {
    sections.forEach(function (section) {
      container.appendChild(el("h3", section.title));
      section.items.forEach(function (item) {
        var row = el("div", null, "kg-legend-row");
        if (section.kind === "line") {
          row.appendChild(lineSample(item.color, item.dashes, item.width));
        } else {
          var sw = el("span", null, "kg-swatch " + (item.shape || ""));
          sw.style.background = item.color;
          row.appendChild(sw);
        }
        row.appendChild(el("span", item.label, "kg-legend-text"));
        container.appendChild(row);
      });
    });
  }
  // A node's heaviest edges as buttons (at most 30); a click selects the edge and shows it.
  function edgeList(body, title, ids, name, network, showEdge) {
    if (!ids.length) return;
    body.appendChild(el("h3", title + (ids.length > 30 ? " (30 heaviest of " + ids.length + ")" : "")));
    var ul = el("ul", null, "kg-links");
    ids.slice(0, 30).forEach(function (eid) {
      var li = el("li"), b = el("button", name(eid));
      b.type = "button";
      b.addEventListener("click", function () { network.selectEdges([eid]); showEdge(eid); });
      li.appendChild(b);
      ul.appendChild(li);
    });
    body.appendChild(ul);
  }
  // One quote of the panel's list: who says what (when ``who`` is given), the words, where from.
  function quoteItem(q, colour, who, where) {
    var li = el("li");
    li.style.borderLeftColor = colour || "#999";
    if (who) li.appendChild(el("div", who, "kg-meta"));
    li.appendChild(el("p", "\u201c" + q.quote + "\u201d", "kg-quote"));
    li.appendChild(el("div", where, "kg-meta"));
    return li;
  }
  // The panel shows one node or one edge; a click on the network picks which.
  function showPanel(panel, kind, id) {
    panel.hidden = false;
    panel.setAttribute("data-" + kind, id);
    panel.removeAttribute(kind === "node" ? "data-edge" : "data-node");
  }
  function onClick(network, showNode, showEdge) {
    network.on("click", function (p) {
      if (p.nodes.length) showNode(p.nodes[0]);
      else if (p.edges.length) showEdge(p.edges[0]);
    });
    window.kgShowNode = showNode;
    window.kgShowEdge = showEdge;
  }
  return { data: data, el: el, clear: clear, kv: kv, legend: legend, edgeList: edgeList, quoteItem: quoteItem, showPanel: showPanel, onClick: onClick };
})();
