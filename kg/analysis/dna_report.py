"""``kg network`` with DNA's options: one network (edge list or matrix) or per-window measures, as text.

>>> net = network_from_store(store, qualifier="congruence", normalization="average",
...                          duplicates="document")                                      # doctest: +SKIP
>>> series = windows_from_store(store, "30d", "7d", qualifier="congruence")             # doctest: +SKIP
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.analysis.dna_networks import (
    AGGREGATIONS,
    DUPLICATES,
    ONE_MODE_NORMALIZATIONS,
    QUALIFIERS,
    SCALES,
    TWO_MODE_NORMALIZATIONS,
    DnaNetwork,
    check_choice,
    network_from_store,
)
from kg.analysis.dna_windows import WindowMeasures, parse_days, window_measures

if TYPE_CHECKING:
    from kg.store import Store
    from kg.analysis.rows import Filters

__all__ = ["DnaOptions", "WindowSeries", "network_from_store", "windows_from_store", "render_network", "render_windows"]


@dataclass(frozen=True)
class DnaOptions:
    """Checked DNA options from the command line (``None``: DNA's default)."""

    two_mode: bool = False
    qualifier: str = "congruence"
    aggregation: str = "subtract"
    normalization: str = "none"
    duplicates: str = "all"
    scale: str = "agreement"

    @classmethod
    def make(cls, *, two_mode: bool = False, qualifier: str | None = None, aggregation: str | None = None,
             normalization: str | None = None, duplicates: str | None = None, scale: str | None = None) -> DnaOptions:
        from kg.model.errors import InputError

        if two_mode and qualifier:
            raise InputError("--qualifier is for one-mode networks; a two-mode network takes --aggregation")
        if aggregation and not two_mode:
            raise InputError("--aggregation is for two-mode networks (--two-mode); one-mode takes --qualifier")
        norms = TWO_MODE_NORMALIZATIONS if two_mode else ONE_MODE_NORMALIZATIONS
        kind = "two-mode normalization" if two_mode else "one-mode normalization"
        return cls(
            two_mode,
            check_choice("qualifier aggregation", qualifier or "congruence", QUALIFIERS),
            check_choice("two-mode aggregation", aggregation or "subtract", AGGREGATIONS),
            check_choice(kind, normalization or "none", norms),
            check_choice("duplicates", duplicates or "all", DUPLICATES),
            check_choice("stance scale", scale or "agreement", SCALES),
        )

    def network_kwargs(self) -> dict:
        return {"two_mode": self.two_mode, "qualifier": self.qualifier, "aggregation": self.aggregation,
                "normalization": self.normalization, "duplicates": self.duplicates, "scale": self.scale}


@dataclass(frozen=True)
class WindowSeries:
    """Measures per window, and when there are none, why."""

    measures: list[WindowMeasures]
    note: str = ""


def windows_from_store(store: Store, window: str | int, step: str | int = 1, filters: Filters | None = None,
                       isolates: bool = False, **options) -> WindowSeries:
    """Per-window measures (:func:`kg.analysis.dna_windows.window_measures`) of the store's assertions; the windows run
    from ``filters.since`` / ``filters.until`` when given, else from the first to the last statement date."""
    scale = options.get("scale", "agreement")
    from kg.analysis import dna_networks

    # looked up when called (not bound at import), so that a test's stand-in for it is seen, and undone
    statements, _ = dna_networks.store_statements(store, filters, scale)
    size = parse_days(window)
    start, stop = (filters.since, filters.until) if filters else (None, None)
    measures = window_measures(statements, size, parse_days(step), start=start, stop=stop, isolates=isolates,
                               **options)
    note = ""
    undated = sum(1 for s in statements if not s.date)
    if undated:
        note = f"{undated} of {len(statements)} statements have no document date and are in no window. "
    if not measures:
        dates = sorted(s.date[:10] for s in statements if s.date)
        if dates:
            note += (f"No window of {size} days fits between {start or dates[0]} and {stop or dates[-1]} "
                     "(DNA keeps only windows wholly inside the time range).")
        else:
            note += "No dated statements: no windows."
    return WindowSeries(measures, note.strip())


def describe(net: DnaNetwork) -> str:
    o = net.options
    how = (f"aggregation {o['aggregation']}" if net.mode == "two-mode" else f"qualifier {o['qualifier']}")
    text = (f"{net.mode} network: {how}, normalization {o['normalization']}, duplicates {o['duplicates']}, "
            f"stance scale {o['scale']}; {net.statements} statements, {len(net.rows)} actors")
    if net.mode == "two-mode":
        text += f", {len(net.columns)} concepts"
    if net.dropped:
        n = net.dropped
        text += (f" ({n} assertion{'s' if n != 1 else ''} with stances the {o['scale']} scale has no level for "
                 f"{'were' if n != 1 else 'was'} left out)")
    return text


def _matrix_rows(net: DnaNetwork) -> tuple[list[dict], list[str]]:
    cols = ["actor", *net.column_labels]
    rows = []
    for i, lab in enumerate(net.row_labels):
        d = {"actor": lab}
        for j, c in enumerate(net.column_labels):
            d[c] = round(float(net.matrix[i, j]), 6)
        rows.append(d)
    return rows, cols


def render_network(net: DnaNetwork, fmt: str = "table", matrix: bool = False) -> str:
    """The network as an edge list (or, with ``matrix``, the matrix) in ``fmt`` (table, json or csv)."""
    from kg.analysis.output import render

    if fmt == "json":
        return json.dumps(net.to_dict(), ensure_ascii=False, indent=1)
    if matrix:
        if len(set(net.column_labels)) < len(net.column_labels) or "actor" in net.column_labels:
            # labels are not unique column names: fall back to the edge list
            matrix = False
        else:
            rows, cols = _matrix_rows(net)
    if not matrix:
        rows, cols = net.edges(), ["source", "target", "weight"]
    body = render(rows, fmt, cols)
    return body if fmt == "csv" else describe(net) + "\n\n" + body


WINDOW_COLUMNS = ["start", "mid", "stop", "statements", "nodes", "edges", "density", "coalitions", "modularity",
                  "polarisation", "polarisation_raw"]


def render_windows(series: WindowSeries, fmt: str = "table", header: str = "") -> str:
    from kg.analysis.output import render

    rows = [m.to_dict() for m in series.measures]
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1)
    if fmt == "csv":
        return render(rows, fmt, WINDOW_COLUMNS)
    # the table leaves out the mid-point and the raw score (in json and csv) so that dates fit
    body = render(rows, fmt, [c for c in WINDOW_COLUMNS if c not in ("mid", "polarisation_raw")])
    note = ("polarisation: DNA's absdiff score of the highest-scoring two-cluster split (Polarization.java) of the "
            "window's average-normalised congruence and conflict networks, normalised to [0, 1] (unnormalised as "
            "polarisation_raw in json and csv); modularity: of the coalitions (communities "
            "of the positive ties)")
    if series.note:
        header = (header + "\n" if header else "") + series.note
    return (header + "\n\n" if header else "") + body + "\n\n" + note
