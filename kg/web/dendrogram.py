"""rDNA's dendrogram of DNA's nested backbone (``plot.dna_backbone`` / ``autoplot.dna_backbone``), as one SVG.

rDNA (``rDNA/rDNA/R/dna_backbone.R``, ``method = "nested"``) turns the nested result ``x`` (rows i = 1 … n, one
per step, columns ``entity``, ``backboneLoss``, …) into an ``hclust`` object and plots it:

* ``merge[1, ] = (-n, -(n - 1))`` and ``merge[i, ] = (-(n - i), i - 1)`` for i = 2 … n − 1 (negative: a leaf,
  positive: an earlier merge), so the two concepts removed first join first, and each later concept joins the
  cluster of those removed before it;
* ``height = x$backboneLoss[1:nrow(x) - 1]``: R reads ``(1:n) - 1`` = 0 … n − 1 and drops index 0, so the first
  n − 1 losses (the last step's, the empty backbone's, is not drawn);
* ``order = 1 … n`` and ``labels = rev(x$entity)``: leaf k is the concept removed at step n + 1 − k.

:func:`hclust` builds that structure as data; :func:`dendrogram_svg` draws it as ``autoplot`` does (ggraph's elbow
edges, ``coord_flip``): the concepts down the left, the first removed at the top, the loss along the bottom axis.
The SVG is self-contained (no font, script or request), its text escaped, and the same result gives the same bytes.

Where kg differs: rDNA's loop ``for (i in 2:(nrow(x) - 1))`` runs backwards for two concepts (``2:1``) and fails;
kg gives their one merge. A dendrogram needs two concepts or more.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from kg.model.errors import InputError

if TYPE_CHECKING:
    from kg.analysis.backbone_nested import NestedBackboneResult

__all__ = ["Hclust", "hclust", "display_label", "dendrogram_svg", "dendrogram_html", "plot_format",
           "write_dendrogram", "FORMATS"]

FORMATS = {".svg": "svg", ".html": "html", ".htm": "html"}
FONT, TITLE_FONT = 12, 14  # px
ROW, PLOT_WIDTH, PAD = 22, 420, 16  # px: per leaf, of the loss axis, around the drawing
AXIS_TITLE = "Backbone loss (spectral distance to the full network)"


@dataclass(frozen=True)
class Hclust:
    """R's ``hclust`` object: ``merge`` (n − 1 pairs; −k leaf k, +j the cluster of row j, both 1-based),
    ``height`` (one per merge), ``order`` (the leaves bottom to top, 1-based) and ``labels`` (of leaves 1 … n)."""

    merge: list[tuple[int, int]]
    height: list[float]
    order: list[int]
    labels: list[str]

    def to_dict(self) -> dict:
        return {"merge": [list(m) for m in self.merge], "height": list(self.height), "order": list(self.order),
                "labels": list(self.labels)}


def hclust(result: NestedBackboneResult) -> Hclust:
    """rDNA's ``hclust`` of a nested backbone (see the module docstring), from the steps' labels and losses."""
    entities = [str(s["label"]) for s in result.steps]
    losses = [float(s["backbone_loss"]) for s in result.steps]
    n = len(entities)
    if n < 2:
        raise InputError(f"a dendrogram needs at least two concepts; this nested backbone has {n}")
    if not all(math.isfinite(v) for v in losses):
        raise InputError("a dendrogram needs finite backbone losses")
    merge = [(-n, -(n - 1))] + [(-(n - i), i - 1) for i in range(2, n)]
    return Hclust(merge, losses[:n - 1], list(range(1, n + 1)), entities[::-1])


def display_label(label: str) -> str:
    """The label as the SVG holds it: characters XML cannot carry (controls, lone surrogates, U+FFFE/U+FFFF)
    become U+FFFD, and tabs and line breaks a space (a line of SVG text shows them as spaces anyway)."""
    out = []
    for c in label:
        o = ord(c)
        if c in "\t\n\r":
            out.append(" ")
        elif o < 0x20 or 0xD800 <= o <= 0xDFFF or o in (0xFFFE, 0xFFFF):
            out.append("\ufffd")
        else:
            out.append(c)
    return "".join(out)


def _text(s: str) -> str:
    return escape(display_label(s))


def _width(s: str, size: int) -> float:
    """A deterministic estimate of the text's width in px (no font metrics: wide characters count double)."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else 0.6 * size for c in s)


def _ticks(lo: float, hi: float, target: int = 5) -> tuple[float, float, list[str], list[float]]:
    """Round ticks (1, 2, 2.5 or 5 times a power of ten apart) over [lo, hi]: the axis range, from the first tick
    to the last, and the ticks' text and value."""
    if not math.isfinite(hi - lo):
        raise InputError("the backbone losses are too far apart to draw")
    if not hi - lo > 1e-12:  # every loss 0 (or as good as): a unit axis
        hi = lo + 1.0
    raw = (hi - lo) / target
    exp = math.floor(math.log10(raw))
    m = next(m for m in (1, 2, 2.5, 5, 10) if raw <= m * 10.0 ** exp * (1 + 1e-9))
    step, decimals = m * 10.0 ** exp, max(0, -(exp + (m == 10)) + (m == 2.5))
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    values = [k * step for k in range(first, last + 1)]
    return values[0], values[-1], [f"{v:.{decimals}f}" for v in values], values


def dendrogram_svg(result: NestedBackboneResult, title: str | None = None) -> str:
    """rDNA's dendrogram of ``result`` (:func:`hclust`) as one SVG string: elbow edges, leaves labelled down the
    left (the first concept removed at the top, as ``coord_flip`` draws leaf 1 at the bottom), the loss along a
    labelled axis below. The losses are drawn as given: DNA's need not grow (see
    :mod:`kg.analysis.backbone_nested`), so a merge may sit left of one it contains, as in rDNA's plot."""
    h = hclust(result)
    return _draw(h, title or "DNA nested backbone", _subtitle(result))


def _subtitle(result: NestedBackboneResult) -> str:
    o = result.options
    net = ", ".join(f"{k} {o[k]}" for k in ("qualifier", "normalization", "duplicates") if k in o)
    return (f"{len(result.steps)} concepts (the first removed at the top), {result.statements} statements"
            + (f"; {net}" if net else ""))


def _draw(h: Hclust, title: str, subtitle: str) -> str:
    n = len(h.labels)
    leaves = [display_label(s) for s in h.labels]
    # Positions: leaf order[p] at p = 0 … n − 1 from the bottom; a merge midway between its two parts.
    pos: dict[int, float] = {-leaf: float(p) for p, leaf in enumerate(h.order)}
    height: dict[int, float] = {-leaf: 0.0 for leaf in h.order}  # leaves hang at 0, as in ggraph's dendrogram
    for j, (a, b) in enumerate(h.merge, start=1):
        pos[j], height[j] = (pos[a] + pos[b]) / 2, h.height[j - 1]
    x0, x1, tick_text, tick_values = _ticks(min(0.0, *h.height), max(0.0, *h.height))
    label_w = max(_width(s, FONT) for s in leaves)
    left = PAD + label_w + 10
    top = PAD + TITLE_FONT + 6 + FONT + 22
    bottom = top + (n - 1) * ROW
    width = max(left + PLOT_WIDTH + PAD, PAD + max(_width(title, TITLE_FONT), _width(subtitle, FONT)) + PAD)
    total_h = bottom + 10 + 6 + FONT + 8 + FONT + PAD

    def x(v: float) -> str:
        return f"{left + (v - x0) / (x1 - x0) * PLOT_WIDTH:.2f}"

    def y(p: float) -> str:
        return f"{bottom - p * ROW:.2f}"

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{total_h:.0f}" '
           f'viewBox="0 0 {width:.0f} {total_h:.0f}" font-family="sans-serif" font-size="{FONT}" role="img">',
           f"<title>{_text(title)}</title>",
           f'<rect width="{width:.0f}" height="{total_h:.0f}" fill="#ffffff"/>',
           f'<text class="title" x="{PAD}" y="{PAD + TITLE_FONT}" font-size="{TITLE_FONT}" '
           f'font-weight="bold">{_text(title)}</text>',
           f'<text class="subtitle" x="{PAD}" y="{PAD + TITLE_FONT + 6 + FONT}" fill="#555555">{_text(subtitle)}</text>',
           '<g class="edges" fill="none" stroke="#333333" stroke-width="1.2">']
    # One bracket per merge (ggraph's geom_edge_elbow): from one part across at the merge's loss to the other.
    # A part merged higher than its parent makes the bracket's arm run leftwards: drawn as given, as rDNA does.
    for j, (a, b) in enumerate(h.merge, start=1):
        out.append(f'<path d="M{x(height[a])} {y(pos[a])}H{x(height[j])}V{y(pos[b])}H{x(height[b])}"/>')
    out.append("</g>")
    out.append('<g class="leaves" fill="#333333">')
    out.extend(f'<circle cx="{x(0.0)}" cy="{y(p)}" r="2.5"/>' for p in range(n))
    out.append("</g>")
    out.append('<g class="labels" text-anchor="end" dominant-baseline="middle">')
    out.extend(f'<text class="label" x="{left - 8:.2f}" y="{y(p)}">{_text(h.labels[leaf - 1])}</text>'
               for p, leaf in enumerate(h.order))
    out.append("</g>")
    axis_y = bottom + 10
    out.append(f'<g class="axis" stroke="#333333"><line x1="{x(x0)}" y1="{axis_y}" x2="{x(x1)}" y2="{axis_y}"/>')
    out.extend(f'<line x1="{x(v)}" y1="{axis_y}" x2="{x(v)}" y2="{axis_y + 5}"/>' for v in tick_values)
    out.append("</g>")
    out.append('<g class="ticks" text-anchor="middle" fill="#333333">')
    out.extend(f'<text class="tick" x="{x(v)}" y="{axis_y + 6 + FONT}">{t}</text>'
               for t, v in zip(tick_text, tick_values))
    out.append("</g>")
    out.append(f'<text class="axis-title" x="{left + PLOT_WIDTH / 2:.2f}" y="{axis_y + 6 + FONT + 8 + FONT}" '
               f'text-anchor="middle">{_text(AXIS_TITLE)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def dendrogram_html(result: NestedBackboneResult, title: str | None = None) -> str:
    """:func:`dendrogram_svg` in one offline HTML page (a Content-Security-Policy forbids every request)."""
    head = _text(title or "DNA nested backbone")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
            "<meta name=\"generator\" content=\"kg network --plot\">\n"
            f"<title>{head}</title>\n<style>body{{margin:0;background:#ffffff}}</style>\n</head>\n<body>\n"
            f"{dendrogram_svg(result, title)}</body>\n</html>\n")


def plot_format(path: str | Path) -> str:
    """``svg`` or ``html``, by the file's extension; anything else is an :class:`InputError`."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"cannot tell the plot's format from {str(path)!r}: give a .svg or .html file")
    return FORMATS[suffix]


def write_dendrogram(result: NestedBackboneResult, path: str | Path, title: str | None = None) -> Path:
    """Write the dendrogram to ``path`` (.svg, or .html around the SVG); returns the path."""
    from kg.web.pages import save_page

    return save_page((dendrogram_html if plot_format(path) == "html" else dendrogram_svg)(result, title), path)
