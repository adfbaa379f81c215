// kg review: reader, queue and decisions. Every piece of text from the server is inserted with
// textContent, never as HTML; requests go to this origin only (the page's CSP allows nothing else).
(function () {
  "use strict";
  const PAGE = 20;
  const token = document.querySelector('meta[name="review-token"]').content;
  const $ = (id) => document.getElementById(id);
  const F = (name) => $("form").elements.namedItem(name);
  const st = { version: "", docs: [], doc: null, cps: [], queue: [], qi: -1, qoff: 0, mode: null, sel: null, names: null };

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function say(text, bad) {
    const m = $("message");
    m.textContent = text;
    m.className = bad ? "bad" : "ok";
    m.hidden = !text;
  }
  async function get(path, params) {
    const qs = new URLSearchParams(params || {}).toString();
    const r = await fetch(path + (qs ? "?" + qs : ""), { headers: { Accept: "application/json" } });
    const body = await r.json();
    if (!r.ok) throw new Error(body.error || r.statusText);
    return body;
  }
  async function decide(body) {
    if (st.busy) return false; // one decision at a time; keys pressed meanwhile are ignored
    st.busy = true;
    try { return await send(body); } finally { st.busy = false; }
  }
  async function send(body) {
    body.version = st.version;
    const r = await fetch("/api/decide", {
      method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-Review-Token": token },
    });
    const res = await r.json();
    if (!r.ok) {
      if (r.status === 409) await refresh(); // the page shows the file as it is now: decide again
      say("Not saved: " + (res.error || r.statusText), true);
      return false;
    }
    st.version = res.version;
    await refresh();
    say("Saved (" + body.action + "). " + res.summary, false);
    return true;
  }

  // ------------------------------------------------------------ documents
  async function loadDocs() {
    st.docs = await get("/api/documents", { limit: 500 });
    renderDocs();
  }
  function renderDocs() {
    const ul = $("docs"), f = $("doc-filter").value.toLowerCase(), only = $("doc-undecided").checked;
    ul.replaceChildren();
    for (const d of st.docs) {
      const hay = [d.id, d.title, d.source, d.date].join(" ").toLowerCase();
      if ((f && !hay.includes(f)) || (only && !d.undecided)) continue;
      const li = el("li");
      li.appendChild(el("span", d.title || d.id, "doc-title"));
      li.appendChild(el("span", [d.source, d.date].filter(Boolean).join(" · "), "doc-meta"));
      li.appendChild(el("span", d.curated + " curated · " + d.undecided + " suggested", "doc-counts"));
      li.dataset.id = d.id;
      if (st.doc && st.doc.id === d.id) li.className = "current";
      li.addEventListener("click", () => openDoc(d.id));
      ul.appendChild(li);
    }
  }

  // ------------------------------------------------------------ reader
  async function openDoc(id, focus) {
    if (!st.doc || st.doc.id !== id) {
      st.doc = await get("/api/document", { id: id });
      st.cps = Array.from(st.doc.text); // offsets count code points, as Python does
      renderReader();
      renderDocs();
    }
    markFocus(focus);
  }
  function renderReader() {
    const r = $("reader"), d = st.doc, n = st.cps.length;
    $("doc-title").textContent = d.title || d.id;
    r.replaceChildren();
    const cuts = new Set([0, n]);
    for (const a of d.assertions) { cuts.add(Math.max(0, Math.min(n, a.start))); cuts.add(Math.max(0, Math.min(n, a.end))); }
    const bounds = Array.from(cuts).sort((x, y) => x - y);
    for (let i = 0; i + 1 < bounds.length; i++) {
      const s = bounds[i], e = bounds[i + 1];
      const seg = el("span", st.cps.slice(s, e).join(""));
      seg.dataset.start = String(s);
      const cover = d.assertions.filter((a) => a.start <= s && a.end >= e);
      if (cover.length) {
        const cur = cover.find((a) => a.method === "curated");
        const first = cur || cover[0];
        seg.className = "hl " + (cur ? "curated" : "extracted") + " s-" + first.stance;
        seg.dataset.ids = cover.map((a) => a.id).join(" ");
        seg.title = cover.length + " assertion(s): click for details";
        seg.addEventListener("click", () => showDetails(cover));
      }
      r.appendChild(seg);
    }
  }
  function markFocus(id) {
    for (const s of $("reader").querySelectorAll(".focus")) s.classList.remove("focus");
    if (!id) return;
    let first = null;
    for (const s of $("reader").querySelectorAll("[data-ids]")) {
      if (s.dataset.ids.split(" ").includes(id)) { s.classList.add("focus"); first = first || s; }
    }
    if (first) first.scrollIntoView({ block: "center" });
  }
  function showDetails(list) {
    const dl = $("details");
    dl.replaceChildren();
    for (const a of list) {
      const rows = [["", a.method === "curated" ? "Curated" : "Suggested"], ["actor", a.actor], ["stance", a.stance],
        ["target", a.target], ["speaker", a.speaker || "—"], ["certainty", a.certainty],
        ["confidence", a.confidence === null ? "—" : a.confidence], ["method", a.method], ["quote", a.quote], ["id", a.id]];
      for (const [k, v] of rows) { dl.appendChild(el("dt", k)); dl.appendChild(el("dd", v)); }
    }
  }

  // ------------------------------------------------------------ queue
  async function loadQueue() {
    const p = { limit: PAGE, offset: st.qoff };
    if ($("q-actor").value) p.actor = $("q-actor").value;
    if ($("q-topic").value) p.topic = $("q-topic").value;
    if ($("q-this-doc").checked && st.doc) p.doc = st.doc.id;
    st.queue = await get("/api/queue", p);
    renderQueue();
  }
  function renderQueue() {
    const ol = $("queue");
    ol.replaceChildren();
    $("queue-count").textContent = st.queue.length ? "(" + (st.qoff + 1) + "–" + (st.qoff + st.queue.length) + ")" : "(empty)";
    st.queue.forEach((a, i) => {
      const li = el("li");
      li.appendChild(el("span", a.confidence === null ? "–" : a.confidence.toFixed(2), "conf"));
      li.appendChild(el("span", a.actor + " " + a.stance + " " + a.target, "what"));
      li.appendChild(el("q", a.quote));
      li.dataset.id = a.id;
      if (i === st.qi) li.className = "current";
      li.addEventListener("click", () => select(i));
      ol.appendChild(li);
    });
  }
  async function select(i) {
    if (i >= st.queue.length && st.queue.length === PAGE) { st.qoff += PAGE; await loadQueue(); i = 0; }
    if (i < 0 && st.qoff > 0) { st.qoff = Math.max(0, st.qoff - PAGE); await loadQueue(); i = st.queue.length - 1; }
    if (!st.queue.length) { st.qi = -1; return; }
    st.qi = Math.max(0, Math.min(i, st.queue.length - 1));
    renderQueue();
    const a = st.queue[st.qi];
    await openDoc(a.doc, a.id);
    showDetails([a]);
    const li = $("queue").children[st.qi];
    if (li) li.scrollIntoView({ block: "nearest" });
  }
  const current = () => (st.qi >= 0 ? st.queue[st.qi] : null);

  async function refresh() {
    const v = await get("/api/version");
    st.version = v.version;
    const keep = st.qi, docId = st.doc && st.doc.id, was = current() && current().id;
    st.doc = null;
    await loadDocs();
    await loadQueue();
    if (docId) await openDoc(docId);
    const again = st.queue.findIndex((a) => a.id === was); // still undecided (a refused write): stay on it
    if (st.queue.length) await select(again >= 0 ? again : Math.min(Math.max(keep, 0), st.queue.length - 1));
  }

  // ------------------------------------------------------------ forms
  function fillSelect(sel, values) {
    sel.replaceChildren(...values.map((v) => { const o = el("option", v); o.value = v; return o; }));
  }
  function selection() {
    const s = window.getSelection();
    if (!s || s.rangeCount === 0 || s.isCollapsed) return null;
    const r = s.getRangeAt(0), reader = $("reader");
    if (!reader.contains(r.startContainer) || !reader.contains(r.endContainer)) return null;
    const start = cpOffset(r.startContainer, r.startOffset), end = cpOffset(r.endContainer, r.endOffset);
    if (start === null || end === null || end <= start) return null;
    return { start: start, end: end, quote: st.cps.slice(start, end).join("") };
  }
  function cpOffset(node, off) {
    const reader = $("reader");
    if (node === reader) {
      const c = reader.children[off];
      return c ? Number(c.dataset.start) : st.cps.length;
    }
    const seg = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    if (!seg || seg.dataset.start === undefined) return null;
    const text = node.nodeType === Node.TEXT_NODE ? node.data.slice(0, off) : "";
    return Number(seg.dataset.start) + Array.from(text).length;
  }
  function openForm(mode) {
    const a = current();
    if (mode !== "add" && !a) { say("Nothing selected in the queue.", true); return; }
    if (mode === "add") {
      st.sel = selection();
      if (!st.sel) { say("Select a passage of the text first, then press n.", true); return; }
    }
    st.mode = mode;
    const f = $("form");
    const fields = ["actor", "new_actor_type", "stance", "target", "speaker", "certainty"];
    const show = { reject: ["reason"], edit: fields, add: fields }[mode];
    for (const l of f.querySelectorAll("label[data-for]")) l.hidden = !show.includes(l.dataset.for);
    $("form-title").textContent = { reject: "Reject", edit: "Edit", add: "Add a statement" }[mode];
    $("form-quote").textContent = mode === "add" ? st.sel.quote : a.quote;
    f.reset();
    if (mode === "edit") {
      F("actor").value = a.actor; F("stance").value = a.stance; F("target").value = a.target_ref || "";
      F("speaker").value = a.speaker || ""; F("certainty").value = a.certainty;
    }
    if (mode === "add") { F("certainty").value = "certain"; }
    $("form-box").hidden = false;
    f.querySelector("label:not([hidden]) input, label:not([hidden]) select").focus();
  }
  function closeForm() { $("form-box").hidden = true; st.mode = null; $("reader").focus(); }
  async function submitForm(ev) {
    ev.preventDefault();
    const f = $("form"), a = current(), mode = st.mode;
    let body;
    if (mode === "reject") body = { action: "reject", id: a.id, reason: F("reason").value };
    else if (mode === "edit") {
      const changes = {};
      const was = { actor: a.actor, stance: a.stance, target: a.target_ref, speaker: a.speaker || "", certainty: a.certainty };
      for (const k of Object.keys(was)) if (F(k).value !== was[k]) changes[k] = F(k).value;
      body = { action: "edit", id: a.id, changes: changes, new_actor_type: F("new_actor_type").value || null };
    } else if (mode === "add") {
      body = { action: "add", doc: st.doc.id, start: st.sel.start, end: st.sel.end, quote: st.sel.quote,
        actor: F("actor").value, stance: F("stance").value, target: F("target").value, speaker: F("speaker").value || null,
        certainty: F("certainty").value, new_actor_type: F("new_actor_type").value || null };
    } else return;
    if (await decide(body)) closeForm();
  }

  // ------------------------------------------------------------ keys and wiring
  document.addEventListener("keydown", (ev) => {
    const t = ev.target;
    if (ev.key === "Escape") { closeForm(); return; }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA")) return;
    const act = { j: () => select(st.qi + 1), k: () => select(st.qi - 1),
      a: () => (current() ? decide({ action: "accept", id: current().id }) : say("Nothing selected.", true)),
      r: () => openForm("reject"), e: () => openForm("edit"), n: () => openForm("add") }[ev.key];
    if (act) { ev.preventDefault(); act(); }
  });
  $("form").addEventListener("submit", submitForm);
  $("form-cancel").addEventListener("click", closeForm);
  $("b-accept").addEventListener("click", () => current() && decide({ action: "accept", id: current().id }));
  $("b-reject").addEventListener("click", () => openForm("reject"));
  $("b-edit").addEventListener("click", () => openForm("edit"));
  $("b-add").addEventListener("mousedown", (ev) => ev.preventDefault()); // keep the text selection
  $("b-add").addEventListener("click", () => openForm("add"));
  $("doc-filter").addEventListener("input", renderDocs);
  $("doc-undecided").addEventListener("change", renderDocs);
  for (const id of ["q-actor", "q-topic"]) $(id).addEventListener("change", () => { st.qoff = 0; loadQueue(); });
  $("q-this-doc").addEventListener("change", () => { st.qoff = 0; loadQueue(); });
  $("q-prev").addEventListener("click", () => { st.qoff = Math.max(0, st.qoff - PAGE); st.qi = -1; loadQueue(); });
  $("q-next").addEventListener("click", () => { if (st.queue.length === PAGE) { st.qoff += PAGE; st.qi = -1; loadQueue(); } });

  (async function start() {
    try {
      const [v, names] = await Promise.all([get("/api/version"), get("/api/names")]);
      st.version = v.version;
      $("coder").textContent = "coder: " + v.coder;
      fillSelect(F("stance"), names.stances);
      fillSelect(F("certainty"), names.certainties);
      fillSelect(F("new_actor_type"), ["", ...names.actor_types]);
      F("new_actor_type").options[0].textContent = "no: a known name";
      $("actor-names").replaceChildren(...names.actors.map((n) => { const o = el("option"); o.value = n; return o; }));
      $("topic-names").replaceChildren(...names.topics.map((n) => { const o = el("option"); o.value = n; return o; }));
      await loadDocs();
      await loadQueue();
      if (st.queue.length) await select(0);
      else if (st.docs.length) await openDoc(st.docs[0].id);
      document.body.dataset.ready = "1";
    } catch (e) {
      say("Could not load: " + e.message, true);
    }
  })();
})();
