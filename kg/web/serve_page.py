"""The query form that ``kg serve`` shows at ``/``: one self-contained page (inline style and script,
allowed by hash in the page's Content-Security-Policy) that posts queries to the endpoint and shows
SELECT results as a table (values as text, never as markup), other results as text."""

from __future__ import annotations

import base64
import hashlib
import html
import json
from pathlib import Path
from typing import TYPE_CHECKING

from kg.model.namespaces import PREFIXES
from kg.store import MEMORY
from kg.store import sparql_results as sr

if TYPE_CHECKING:
    from kg.web.serve_pool import WorkerPool
    from kg.web.serve_runner import QueryRunner

ENDPOINT = "/sparql"

_SAMPLE_QUERY = """\
# Poland's positions. The project prefixes (kg:, kgr:, skos:, prov:, dct:, ...) are predeclared.
SELECT ?stance ?target ?certainty ?quote ?doc WHERE {
  ?a kg:actor <https://w3id.org/kg/id/actor/poland> ;
     kg:stance/skos:notation ?stance ;
     kg:target ?t ;
     kg:certainty/skos:notation ?certainty ;
     kg:quote ?quote ;
     prov:wasDerivedFrom/dct:identifier ?doc .
  OPTIONAL { ?t skos:prefLabel ?tl }
  OPTIONAL { ?t rdfs:label ?trl }
  BIND(COALESCE(?tl, ?trl, STR(?t)) AS ?target)
}
ORDER BY ?target ?doc
"""

_STYLE = """
body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem; color: #222; }
h1 { font-size: 1.3rem; margin: 0 0 .3rem; }
p.meta { color: #666; margin: 0 0 1rem; font-size: .9rem; }
textarea { width: 100%; box-sizing: border-box; font: 13px/1.4 ui-monospace, monospace; min-height: 16rem; }
.bar { display: flex; gap: .8rem; align-items: center; margin: .5rem 0 1rem; }
#status { color: #555; }
table { border-collapse: collapse; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.iri { color: #0645ad; }
td.bnode { color: #777; }
span.tag { color: #888; margin-left: .25rem; font-size: .8em; }
pre { background: #f7f7f7; padding: .6rem; overflow: auto; white-space: pre-wrap; }
pre.error { background: #fff0f0; color: #900; }
details { margin-top: 1rem; color: #555; font-size: .9rem; }
"""

_SCRIPT = """
"use strict";
const PREFIXES = %(prefixes)s;
const ACCEPT = %(accept)s;
const form = document.getElementById("form");
const out = document.getElementById("out");
const status = document.getElementById("status");
function shorten(iri) {
  for (const [p, ns] of PREFIXES) {
    if (iri.startsWith(ns) && iri.length > ns.length) return p + ":" + iri.slice(ns.length);
  }
  return iri;
}
function cell(term) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri") {
    td.textContent = shorten(term.value);
    td.title = term.value;
    td.className = "iri";
  } else if (term.type === "bnode") {
    td.textContent = "_:" + term.value;
    td.className = "bnode";
  } else {
    td.textContent = term.value;
    if (term["xml:lang"]) {
      const tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = "@" + term["xml:lang"];
      td.appendChild(tag);
    } else if (term.datatype) {
      td.title = shorten(term.datatype);
    }
  }
  return td;
}
function table(data) {
  const t = document.createElement("table");
  const head = t.createTHead().insertRow();
  for (const v of data.head.vars) {
    const th = document.createElement("th");
    th.textContent = "?" + v;
    head.appendChild(th);
  }
  const body = t.createTBody();
  for (const b of data.results.bindings) {
    const tr = body.insertRow();
    for (const v of data.head.vars) tr.appendChild(cell(b[v]));
  }
  return t;
}
function show(text, cls) {
  const pre = document.createElement("pre");
  if (cls) pre.className = cls;
  pre.textContent = text;
  out.appendChild(pre);
}
form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const fmt = form.elements.format.value;
  const body = new URLSearchParams();
  body.set("query", form.elements.query.value);
  out.replaceChildren();
  status.textContent = "running\\u2026";
  const t0 = performance.now();
  let resp, text;
  try {
    resp = await fetch("sparql", {
      method: "POST",
      headers: {"Content-Type": "application/x-www-form-urlencoded", "Accept": ACCEPT[fmt] || ACCEPT.auto},
      body: body,
    });
    text = await resp.text();
  } catch (e) {
    status.textContent = "request failed: " + e;
    return;
  }
  const ms = Math.round(performance.now() - t0);
  let note = "HTTP " + resp.status + ", " + ms + " ms";
  if (!resp.ok) {
    status.textContent = note;
    show(text, "error");
    return;
  }
  if (resp.headers.get("X-KG-Truncated") === "true") {
    note += ", truncated at " + resp.headers.get("X-KG-Row-Limit") + " rows";
  }
  const ctype = resp.headers.get("Content-Type") || "";
  if (ctype.startsWith("application/sparql-results+json")) {
    const data = JSON.parse(text);
    if ("boolean" in data) {
      show(String(data.boolean));
    } else {
      note += ", " + data.results.bindings.length + " rows";
      out.appendChild(table(data));
    }
  } else {
    show(text);
  }
  status.textContent = note;
});
form.elements.query.addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
    ev.preventDefault();
    form.requestSubmit();
  }
});
"""


def _script() -> str:
    prefixes = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))
    accept = {"auto": "application/sparql-results+json, text/turtle;q=0.9", **sr.MEDIA_TYPES}
    # JSON is valid JavaScript; "<" is escaped so no value can close the script element.
    js = lambda v: json.dumps(v).replace("<", "\\u003c")  # noqa: E731
    return _SCRIPT % {"prefixes": js(prefixes), "accept": js(accept)}


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


SCRIPT = _script()
PAGE_CSP = (f"default-src 'none'; script-src {_csp_hash(SCRIPT)}; style-src {_csp_hash(_STYLE)}; "
            "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def render_page(runner: WorkerPool | QueryRunner) -> bytes:
    """The self-contained query form (inline style and script, allowed by hash in the page's CSP)."""
    store = runner.location
    name = store if store == MEMORY or "://" in store else Path(store).name
    options = "".join(f'<option value="{f}">{html.escape(f)} ({html.escape(sr.MEDIA_TYPES[f])})</option>'
                      for f in sr.MEDIA_TYPES)
    prefixes = "\n".join(f"PREFIX {p}: <{i}>" for p, i in PREFIXES.items())
    page = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kg SPARQL endpoint</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>kg SPARQL endpoint</h1>
<p class="meta">Store {html.escape(name)} &middot; read-only &middot; time-out {runner.timeout:g} s &middot;
at most {runner.max_rows} rows &middot; endpoint <code>{ENDPOINT}</code> (GET or POST, SPARQL 1.1 Protocol)</p>
<form id="form" method="get" action="sparql">
<textarea name="query" spellcheck="false" aria-label="SPARQL query">{html.escape(_SAMPLE_QUERY)}</textarea>
<div class="bar">
<label>Format <select name="format"><option value="auto" selected>auto (JSON table / Turtle)</option>
{options}</select></label>
<button type="submit">Run query</button> <span id="status">Ctrl+Enter runs the query.</span>
</div>
</form>
<div id="out"></div>
<details><summary>Predeclared prefixes</summary><pre>{html.escape(prefixes)}</pre></details>
<script>{SCRIPT}</script>
</body>
</html>
"""
    return page.encode("utf-8")
