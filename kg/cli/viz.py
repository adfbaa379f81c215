"""Network commands: viz (interactive HTML), network (analyses), compare (sources), timeline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from ._app import FormatOpt, StoreOpt, check_format, command, fail
from ._app import open_store_for as _open

VIEW_HELP = "stance, congruence, conflict, actor (needs NAME) or topic (needs NAME)."
NameArg = typer.Argument(None, help="The actor (--view actor) or topic (--view topic) to centre on.")
DepthOpt = typer.Option(2, "--depth", "-d", help="Hops around the actor in --view actor.")
SourceOpt = typer.Option(None, "--source", help="Only assertions from this source (outlet, or document id).")
CertaintyOpt = typer.Option(None, "--certainty", "-c", help="Minimum certainty: possible, probable or certain.")
StanceOpt = typer.Option(None, "--stance", help="Only these stances (comma-separated: supports,opposes,…).")
SinceOpt = typer.Option(None, "--since", help="Documents dated on or after (YYYY, YYYY-MM or YYYY-MM-DD).")
UntilOpt = typer.Option(None, "--until", help="Documents dated on or before (YYYY, YYYY-MM or YYYY-MM-DD).")


TopicOpt = typer.Option(None, "--topic", help="Only assertions on this target (topic or actor), e.g. one topic's congruence network.")


def _filters(source, certainty, stance, since, until, topic=None):
    from kg.analysis.rows import Filters

    return Filters.make(source=source, certainty=certainty, stance=stance, since=since, until=until, topic=topic)


@command(example="kg viz --view congruence --topic troop-deployment --out troops.html")
def viz(
    name: Optional[str] = NameArg,
    view: Optional[str] = typer.Option(None, "--view", "-v", help=VIEW_HELP + " Default: stance."),
    depth: int = DepthOpt,
    out: Optional[Path] = typer.Option(None, "--out", "-o",
                                       help="HTML file to write (default kg-<view>.html; with --window kg-windows.html)."),
    source: Optional[str] = SourceOpt,
    certainty: Optional[str] = CertaintyOpt,
    stance: Optional[str] = StanceOpt,
    since: Optional[str] = SinceOpt,
    until: Optional[str] = UntilOpt,
    topic: Optional[str] = TopicOpt,
    max_nodes: int = typer.Option(300, "--max-nodes", help="Keep at most this many nodes (highest weighted degree; "
                                                            "with --window the most active actors)."),
    max_edges: int = typer.Option(3000, "--max-edges", help="Keep at most this many edges (heaviest; with --window "
                                                             "per window)."),
    window: Optional[str] = typer.Option(
        None, "--window", help="DNA's moving time windows of this many days (30d, 4w): one page with a time slider "
                               "over the actor network of each window."),
    step: str = typer.Option("1d", "--step", help="With --window: how far the window moves each time (DNA: 1d; "
                                                 "7d makes a lighter page over a long period)."),
    qualifier: Optional[str] = typer.Option(
        None, "--qualifier", help="With --window: qualifier aggregation congruence (default), conflict or subtract "
                                  "(--view congruence or conflict say the same)."),
    normalization: Optional[str] = typer.Option(
        None, "--normalization", help="With --window: none (default), average, jaccard or cosine."),
    duplicates: Optional[str] = typer.Option(
        None, "--duplicates", help="With --window: count all (default), or once per document, week, month, year."),
    store: Optional[str] = StoreOpt,
) -> None:
    """Write a view of the network as one self-contained, offline, interactive HTML page.

    With --window, the page has a time slider: one DNA actor network per moving time window."""
    from kg.web.pages import PAGE_QUOTES, page, write_html
    from kg.analysis.views import view_graph

    filters = _filters(source, certainty, stance, since, until, topic)
    if window or qualifier or normalization or duplicates:
        _window_page(filters, store, out, window, step, view, name, max_nodes, max_edges,
                     qualifier=qualifier, normalization=normalization, duplicates=duplicates)
        return
    view = view or "stance"
    if view in ("actor", "topic") and not name:
        fail(f"the {view} view needs a name: kg viz --view {view} NAME", 2)
    with _open(store) as s:
        g = view_graph(s, view, name, depth=depth, filters=filters, max_nodes=max_nodes, max_edges=max_edges,
                       max_quotes=PAGE_QUOTES, networkx=False)  # a page reads no more than a SmallGraph has
    path = write_html(page(g), out or Path(f"kg-{g.graph['view']}.html"))
    typer.echo(f"wrote {path}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges, "
               f"{g.graph['assertions']} assertions")
    if g.graph.get("note"):
        typer.echo(f"note: {g.graph['note']}", err=True)


def _window_page(filters, store, out, window, step, view, name, max_nodes, max_edges, qualifier, **given) -> None:
    from kg.analysis.dna_report import DnaOptions
    from kg.model.errors import InputError
    from kg.web.window_page import window_page_from_store, write_window_page

    if not window:
        raise InputError("--qualifier, --normalization and --duplicates go with --window (30d, 4w)")
    if name or view not in (None, "congruence", "conflict"):
        raise InputError("--window draws DNA's actor network: --view congruence or conflict (or --qualifier), "
                         "and no NAME")
    if view and qualifier and qualifier != view:
        raise InputError(f"--view {view} and --qualifier {qualifier} disagree: give one")
    opts = DnaOptions.make(qualifier=qualifier or view, **given)
    kwargs = {k: v for k, v in opts.network_kwargs().items() if k not in ("two_mode", "aggregation")}
    with _open(store) as s:
        data = window_page_from_store(s, window, step, filters, max_nodes=max_nodes or None,
                                      max_edges=max_edges or None, **kwargs)
    path = write_window_page(data, out or Path("kg-windows.html"))
    m = data["meta"]
    typer.echo(f"wrote {path}: {m['windows']} windows of {m['window']} every {m['step']}, {m['nodes']} actors, "
               f"{m['statements']} statements ({opts.qualifier}, normalization {opts.normalization}, "
               f"duplicates {opts.duplicates})")
    if m["note"]:
        typer.echo(f"note: {m['note']}", err=True)


@command(example="kg network --view conflict --format json")
def network(
    name: Optional[str] = NameArg,
    view: str = typer.Option("congruence", "--view", "-v", help=VIEW_HELP),
    depth: int = DepthOpt,
    source: Optional[str] = SourceOpt,
    certainty: Optional[str] = CertaintyOpt,
    stance: Optional[str] = StanceOpt,
    since: Optional[str] = SinceOpt,
    until: Optional[str] = UntilOpt,
    topic: Optional[str] = TopicOpt,
    max_nodes: int = typer.Option(500, "--max-nodes", help="Analyse only the most connected nodes (0: all)."),
    max_edges: int = typer.Option(0, "--max-edges", help="Keep only the heaviest edges (0: all)."),
    qualifier: Optional[str] = typer.Option(
        None, "--qualifier",
        help="DNA one-mode network: qualifier aggregation congruence, conflict, subtract (or ignore)."),
    normalization: Optional[str] = typer.Option(
        None, "--normalization",
        help="DNA normalisation: one-mode none, average, jaccard or cosine; two-mode none, activity or prominence."),
    duplicates: Optional[str] = typer.Option(
        None, "--duplicates",
        help="DNA duplicates: count all, or once per document, week, month, year or acrossrange."),
    two_mode: bool = typer.Option(False, "--two-mode", help="DNA two-mode actor × concept (target) network."),
    aggregation: Optional[str] = typer.Option(
        None, "--aggregation", help="Two-mode qualifier aggregation: combine or subtract (default)."),
    stance_scale: Optional[str] = typer.Option(
        None, "--stance-scale",
        help="agreement (supports 1, opposes 0, other stances left out; default) or integer "
             "(opposes -1, hesitant/divided/neutral 0, supports 1)."),
    window: Optional[str] = typer.Option(
        None, "--window", help="Moving time windows of this many days (30d, 4w): measures per window."),
    step: str = typer.Option("1d", "--step", help="How far the window moves each time (days; DNA: 1d)."),
    isolates: bool = typer.Option(
        False, "--isolates", help="With --window: every actor in every window's matrix (DNA's isolates)."),
    matrix: bool = typer.Option(False, "--matrix", help="With DNA options: print the matrix, not the edge list."),
    backbone: bool = typer.Option(
        False, "--backbone",
        help="DNA's backbone: the concepts (targets) that carry the actor network's structure, and "
             "the redundant rest. Defaults as rDNA's dna_backbone: --qualifier subtract --normalization average "
             "--duplicates document."),
    backbone_method: Optional[str] = typer.Option(
        None, "--backbone-method",
        help="With --backbone: penalty (default), fixed (a backbone of --backbone-size concepts) or nested (the "
             "concepts removed one at a time, the least loss first, with the loss at each step)."),
    backbone_size: Optional[int] = typer.Option(
        None, "--backbone-size", help="With --backbone-method fixed: how many concepts the backbone keeps."),
    penalty: float = typer.Option(3.5, "--penalty", help="With --backbone: larger values give smaller backbones."),
    iterations: int = typer.Option(
        10000, "--iterations", help="With --backbone (penalty, fixed): simulated annealing iterations."),
    seed: int = typer.Option(0, "--seed", help="With --backbone: random seed (the same seed, the same backbone)."),
    plot: Optional[Path] = typer.Option(
        None, "--plot", help="With --backbone --backbone-method nested: also write rDNA's dendrogram of the steps "
                             "(plot.dna_backbone) to this .svg file (or .html, the SVG in an offline page)."),
    store: Optional[str] = StoreOpt,
    fmt: str = FormatOpt,
) -> None:
    """Centralities (degree, betweenness), communities and polarisation of a view.

    With any of DNA's options (--qualifier, --normalization, --duplicates, --two-mode, --window), the
    network as the Discourse Network Analyzer computes it: an edge list (or --matrix), or with --window
    density, coalition modularity and DNA's polarisation per window.
    """
    from kg.analysis.networks import network_report
    from kg.analysis.output import render

    check_format(fmt)
    filters = _filters(source, certainty, stance, since, until, topic)
    if backbone or backbone_method is not None or backbone_size is not None or plot is not None:
        _backbone(filters, store, fmt, two_mode or aggregation or window or matrix or isolates, penalty, iterations,
                  seed, backbone, backbone_method, backbone_size, plot, qualifier=qualifier,
                  normalization=normalization, duplicates=duplicates, scale=stance_scale)
        return
    if (qualifier or normalization or duplicates or two_mode or aggregation or stance_scale or window
            or matrix or isolates):
        from kg.analysis.dna_report import DnaOptions, network_from_store, render_network, render_windows, windows_from_store
        from kg.model.errors import InputError

        if isolates and not window:
            raise InputError("--isolates goes with --window (one network has no actor outside it)")
        opts = DnaOptions.make(two_mode=two_mode, qualifier=qualifier, aggregation=aggregation,
                               normalization=normalization, duplicates=duplicates, scale=stance_scale)
        with _open(store) as s:
            if window:
                series = windows_from_store(s, window, step, filters, isolates=isolates, **opts.network_kwargs())
                head = (f"windows of {window}, step {step}; " + ", ".join(f"{k} {v}" for k, v in
                        opts.network_kwargs().items()) + f"; filters: {filters.describe()}")
                typer.echo(render_windows(series, fmt, head))
            else:
                net = network_from_store(s, filters, **opts.network_kwargs())
                typer.echo(render_network(net, fmt, matrix))
        return
    if view in ("actor", "topic") and not name:
        fail(f"the {view} view needs a name: kg network --view {view} NAME", 2)
    with _open(store) as s:
        report = network_report(s, view, name, depth=depth, filters=filters, max_nodes=max_nodes or None,
                                max_edges=max_edges or None)
    if fmt == "json":
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    cols = ["label", "type", "community", "degree", "weighted_degree", "degree_centrality", "betweenness"]
    if fmt == "csv":
        typer.echo(render(report.node_rows(), "csv", ["node", *cols]))
        return
    p = report.polarisation
    head = f"view: {report.view}  nodes: {report.nodes}  edges: {report.edges}  density: {report.density}  " \
           f"assertions: {report.assertions}  filters: {report.filters}"
    typer.echo(head)
    if report.note:
        typer.echo(report.note)
    typer.echo("")
    typer.echo(render(report.node_rows(), "table", cols))
    if report.betweenness_sample:
        typer.echo(f"(betweenness estimated from {report.betweenness_sample} sampled sources)")
    typer.echo("\ncommunities")
    typer.echo(render(report.community_rows(), "table",
                      ["community", "size", "internal_weight", "external_weight", "members"], max_width=90))
    pol = "undefined (no conflict edges)" if p.polarisation is None else f"{p.polarisation:.3f}"
    mod = "undefined (no congruence edges)" if p.congruence_modularity is None else f"{p.congruence_modularity:.3f}"
    typer.echo(f"\npolarisation: {pol}  (conflict weight between coalitions {p.conflict_between:g}, "
               f"within {p.conflict_within:g}; {p.coalitions} coalitions)")
    typer.echo(f"congruence modularity: {mod}")
    typer.echo(f"definition: polarisation = {p.definition}")


def _backbone(filters, store, fmt, other_mode, penalty, iterations, seed, backbone, method, size, plot,
              **given) -> None:
    from kg.analysis.backbone import DEFAULTS, METHODS, backbone_from_store, render_backbone
    from kg.analysis.backbone_nested import nested_backbone_from_store, render_nested
    from kg.analysis.dna_networks import check_choice
    from kg.analysis.dna_report import DnaOptions
    from kg.model.errors import InputError

    if not backbone:
        raise InputError("--backbone-method, --backbone-size and --plot go with --backbone")
    method = check_choice("backbone method", method or "penalty", METHODS)
    if method == "fixed" and size is None:
        raise InputError("--backbone-method fixed needs --backbone-size N (how many concepts the backbone keeps)")
    if method != "fixed" and size is not None:
        raise InputError("--backbone-size goes with --backbone-method fixed")
    if plot is not None:
        from kg.web.dendrogram import plot_format

        if method != "nested":
            raise InputError("--plot draws the nested backbone's dendrogram: it goes with --backbone-method nested")
        plot_format(plot)  # an unknown extension fails before the backbone is computed
    if other_mode:
        raise InputError("--backbone is of the one-mode actor network: it goes without --two-mode, --aggregation, "
                         "--window, --matrix and --isolates")
    opts = DnaOptions.make(**{k: v or DEFAULTS.get(k) for k, v in given.items()})
    network = {"qualifier": opts.qualifier, "normalization": opts.normalization, "duplicates": opts.duplicates,
               "scale": opts.scale}
    if method == "nested":
        with _open(store) as s:
            nested = nested_backbone_from_store(s, filters, **network)
        if plot is not None:  # written first: a path that cannot be written is the one error, on an empty stdout
            from kg.web.dendrogram import write_dendrogram

            path = write_dendrogram(nested, plot)
            typer.echo(f"wrote {path}: the dendrogram of {len(nested.steps)} concepts", err=True)
        typer.echo(render_nested(nested, fmt))
        return
    with _open(store) as s:
        result = backbone_from_store(s, filters, penalty=penalty, iterations=iterations, seed=seed, method=method,
                                     size=size, **network)
    typer.echo(render_backbone(result, fmt))


@command(name="compare", example="kg compare --disagreements --actor Poland")
def compare_cmd(
    actor: Optional[str] = typer.Option(None, "--actor", "-a", help="Only this actor."),
    topic: Optional[str] = typer.Option(None, "--topic", "-t", help="Only this topic (or actor as target)."),
    disagreements: bool = typer.Option(False, "--disagreements", help="Only (actor, target) pairs the sources disagree on."),
    store: Optional[str] = StoreOpt,
    fmt: str = FormatOpt,
) -> None:
    """For each (actor, target), what each source reports, flagging different stances, certainties and attributions."""
    from kg.analysis.compare import COMPARE_COLUMNS, compare, compare_rows
    from kg.analysis.output import render

    check_format(fmt)
    with _open(store) as s:
        result = compare(s, actor, topic, disagreements_only=disagreements)
    if fmt == "json":
        typer.echo(json.dumps([c.to_dict() for c in result], ensure_ascii=False, indent=2))
        return
    typer.echo(render(compare_rows(result), fmt, COMPARE_COLUMNS, max_width=60))
    flagged = [c for c in result if c.flags]
    if fmt == "table" and result:
        typer.echo(f"\n{len(flagged)} of {len(result)} (actor, target) pairs with disagreements"
                   + (":" if flagged else ""))
        for c in flagged:
            for d in c.details:
                typer.echo(f"  {c.actor_label} / {c.target_label}: {d}")


@command(name="timeline", example="kg timeline Poland --format csv")
def timeline_cmd(
    actor: str = typer.Argument(..., help="Actor name, label or alias."),
    store: Optional[str] = StoreOpt,
    fmt: str = FormatOpt,
) -> None:
    """An actor's stances over time (by document date), flagging changes of stance or certainty per target."""
    from kg.analysis.compare import TIMELINE_COLUMNS, timeline
    from kg.analysis.output import render

    check_format(fmt)
    with _open(store) as s:
        entries = timeline(s, actor)
    typer.echo(render([e.to_dict() for e in entries], fmt, TIMELINE_COLUMNS, max_width=60))
