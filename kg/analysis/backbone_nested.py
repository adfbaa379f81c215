"""DNA's nested backbone: the concepts removed one at a time, each time the one whose removal loses least.

Definitions from DNA's source (leifeld/dna, ``dna/src/main/java/dna/export/Exporter.java``:
``initializeNestedBackbone``, ``iterateNestedBackbone``, ``saveNestedBackboneResult``; ``HeadlessDna.rBackbone``
runs the iterations while the backbone set is not empty; rDNA ``rDNA/rDNA/R/dna_backbone.R``, ``method = "nested"``
and ``print.dna_backbone``):

Start
    The backbone set is every concept C, the redundant set empty; the full network and its normalised eigenvalues
    as for the penalty method (:mod:`kg.analysis.backbone`).

Step i = 1 … |C|
    For each concept c still in the backbone B, the unpenalised spectral loss of B − {c} against the full network
    (``iterateNestedBackbone``: ``currentLosses[i] = spectralLoss(eigenvaluesFull, eigenvaluesCandidate)``); the
    concept with the smallest loss moves to the redundant set R. The step records (``NestedBackboneResult``; rDNA's
    data frame ``i, entity, backboneLoss, redundantLoss, statements``): the concept, the backbone loss (that smallest
    loss: of the backbone of |C| − i concepts left), the redundant loss (``spectralLoss`` of the network of R's
    concepts, R including this one) and the number of statements on the concepts left in B. The last step empties
    B: its network has no tie, its eigenvalues are all 0, and its loss is the sum of the full network's normalised
    eigenvalues, 1 (0 for a network without a positive tie).

The losses need not grow
    DNA's losses are those of a greedy path, not a promise: each step takes the best single removal from the
    backbone of the step before (rDNA's documentation: the nested solution "may stay below the optimum"), and the
    spectral loss of a smaller set can be lower than that of a larger one (normalised spectra ignore scale), so a
    later step can lose less than an earlier one. rDNA's dendrogram (``plot.dna_backbone``) draws the losses as
    merge heights all the same.

Where kg differs, on purpose
    * Ties: DNA moves *every* concept whose loss equals the smallest in the same iteration (its loop runs from the
      last concept of the backbone list to the first) and records each with its own single-removal loss, so a row's
      loss may not be that of the backbone left after it. kg moves one concept per step, so every row's loss is that
      of the backbone of that size: among losses within 1e-12 of the smallest, the last concept in label order
      (DNA's first of the tied ones; DNA sorts the concepts by label). Without ties the two agree.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.analysis.backbone import DEFAULTS, _Networks, _one_blas_thread, _prepare, spectral_loss
from kg.analysis.dna_networks import Statement
from kg.model.errors import InputError

if TYPE_CHECKING:
    from kg.analysis.rows import Filters
    from kg.store import Store

TIE = 1e-12  # losses this close count as equal (kg's eigenvalues are numpy's, not ojalgo's)

__all__ = ["NestedBackboneResult", "nested_backbone", "nested_backbone_from_store", "render_nested"]


@dataclass
class NestedBackboneResult:
    """One row per step, in removal order: ``i``, ``concept``, ``label``, ``backbone_size`` (concepts left),
    ``backbone_loss``, ``redundant_loss``, ``statements`` (on the concepts left); rDNA's nested data frame."""

    steps: list[dict]
    actors: list[str]
    actor_labels: list[str]
    statements: int = 0
    options: dict = field(default_factory=dict)
    method: str = "nested"

    @property
    def order(self) -> list[str]:
        """The concepts in the order they left the backbone (the last one carries most structure)."""
        return [s["concept"] for s in self.steps]

    def to_dict(self) -> dict:
        steps = [{**s, "backbone_loss": round(s["backbone_loss"], 6), "redundant_loss": round(s["redundant_loss"], 6)}
                 for s in self.steps]
        return {"method": self.method, "options": self.options, "statements": self.statements,
                "actors": self.actor_labels, "steps": steps}


def nested_backbone(statements: Sequence[Statement], *, qualifier: str = DEFAULTS["qualifier"],
                    normalization: str = DEFAULTS["normalization"], duplicates: str = DEFAULTS["duplicates"],
                    scale: str = "agreement") -> NestedBackboneResult:
    """DNA's nested backbone (see the module docstring) of the one-mode actor network of ``statements``: |C| steps,
    each removing the concept whose removal loses least. Deterministic; needs one concept or more."""
    import numpy as np

    kept, arr, levels, actors, actor_labels, concepts, concept_labels, options = _prepare(
        statements, qualifier, normalization, duplicates, scale)
    n = len(concepts)
    if n < 1:
        raise InputError("a backbone needs at least one concept (target); these statements have none")
    nets = _Networks(arr, levels, options["qualifier"], options["normalization"])
    full = nets.eigenvalues(np.ones(n, dtype=bool))  # initializeNestedBackbone: eigenvaluesFull
    per_concept = Counter(s.concept for s in kept)
    counts = [per_concept[c] for c in concepts]
    backbone = np.ones(n, dtype=bool)
    steps = []
    with _one_blas_thread():
        for i in range(1, n + 1):
            losses = {}
            for j in np.flatnonzero(backbone):  # iterateNestedBackbone: each candidate B − {c}
                cand = backbone.copy()
                cand[j] = False
                losses[int(j)] = spectral_loss(full, nets.eigenvalues(cand))
            smallest = min(losses.values())
            # DNA: the tied concepts from the last to the first; kg takes the last (see "Where kg differs")
            j = max(k for k, v in losses.items() if v <= smallest + TIE)
            backbone[j] = False
            # redundantLoss: spectralLoss of the network of the redundant set's concepts
            redundant_loss = spectral_loss(full, nets.eigenvalues(~backbone))
            steps.append({"i": i, "concept": concepts[j], "label": concept_labels[j], "backbone_size": n - i,
                          "backbone_loss": losses[j], "redundant_loss": redundant_loss,
                          "statements": sum(c for c, b in zip(counts, backbone) if b)})
    return NestedBackboneResult(steps, actors, actor_labels, len(kept), options)


def nested_backbone_from_store(store: Store, filters: Filters | None = None, **options) -> NestedBackboneResult:
    """:func:`nested_backbone` of the store's assertions that pass ``filters``."""
    from kg.analysis.dna_networks import store_statements

    statements, _ = store_statements(store, filters, options.get("scale", "agreement"))
    return nested_backbone(statements, **options)


def render_nested(result: NestedBackboneResult, fmt: str = "table") -> str:
    """The steps as rDNA prints the nested result (table: i, entity, backboneLoss, redundantLoss, statements), one
    row per step (csv), or json."""
    from kg.analysis.output import render

    if fmt == "json":
        return json.dumps(result.to_dict(), ensure_ascii=False, indent=1)
    if fmt == "csv":
        return render(result.to_dict()["steps"], "csv", ["i", "concept", "label", "backbone_size", "backbone_loss",
                                            "redundant_loss", "statements"])
    o = result.options
    rows = [{"i": s["i"], "entity": s["label"], "backboneLoss": f"{s['backbone_loss']:.4f}",
             "redundantLoss": f"{s['redundant_loss']:.4f}", "statements": s["statements"]} for s in result.steps]
    lines = ["Backbone method: nested.",
             f"Network: qualifier {o['qualifier']}, normalization {o['normalization']}, duplicates "
             f"{o['duplicates']}, stance scale {o['scale']}; {result.statements} statements, {len(result.actors)} "
             f"actors, {len(result.steps)} concepts.", "",
             render(rows, "table", ["i", "entity", "backboneLoss", "redundantLoss", "statements"]), "",
             "Step i moves the entity from the backbone to the redundant set: the one whose removal loses least. "
             "backboneLoss: DNA's spectral distance between the full actor network and that of the concepts left "
             "(0: the same structure); redundantLoss: the same for the concepts removed so far; statements: on the "
             "concepts left."]
    return "\n".join(lines)
