"""DNA's backbone extraction, penalty and fixed methods: which concepts carry the structure of the actor network.
(The nested method: :mod:`kg.analysis.backbone_nested`.)

Definitions from DNA's source (leifeld/dna, ``dna/src/main/java/dna/export/Exporter.java``:
``initializeSimulatedAnnealingBackbone``, ``iterateSimulatedAnnealingBackbone``, ``computeNormalizedEigenvalues``,
``spectralLoss``, ``penalizedLoss``, ``evaluateBackboneSolution``; rDNA ``rDNA/rDNA/R/dna_backbone.R``):

Network
    The one-mode actor network of the statements (after duplicates are dropped), with the qualifier aggregation and
    normalisation given (rDNA's defaults: ``subtract``, ``average``, duplicates ``document``). A candidate backbone
    B ⊂ C (the concepts) gives the network of the statements on concepts in B only, over the same actors as the
    full network (``reduceCandidateMatrix``).

Normalised eigenvalues
    Negative cells are set to 0 (``subtract``), L = D − A with D the row sums, the eigenvalues of L divided by their
    sum when it is positive (else left as they are: all 0). kg sorts them in descending order so that the i-th
    values of two networks are compared (ojalgo returns a symmetric matrix's eigenvalues in that order).

Spectral loss and penalty
    loss(B) = Σ_i |λ_i(full) − λ_i(B)| (``spectralLoss``: the sum of sqrt((a − b)²), which DNA calls a Euclidean
    spectral distance); penalised: loss(B) · exp(−p · (|C| − |B|) / |C|) (``penalizedLoss``), so that a larger
    penalty p favours a smaller backbone.

Simulated annealing (T iterations, t = 1 … T)
    Start: one concept drawn at random is the backbone, the rest redundant. Each iteration:
    temperature = 1 − 1 / (1 + exp(−(−5 + 12 t / T))); a random move among those allowed: add a random redundant
    concept to the backbone, remove a random backbone concept, or swap one of each (DNA: with fewer than two
    backbone concepts no removal; with |C| − 1 or more no addition, so neither set is ever empty); the candidate is
    accepted when its penalised loss is below the current one, else with probability exp(−(new − old)) ·
    temperature. An accepted candidate whose loss is at most the best so far becomes the result, so the result is
    the best backbone the search proposed (or the start).

Fixed method (``method="fixed"``, ``size`` = k; same functions, ``penalty`` false there)
    The start is k distinct concepts drawn at random (``initializeSimulatedAnnealingBackbone``, else-branch); every
    move is a swap (``iterateSimulatedAnnealingBackbone``: "with fixed backbone set (i.e., no penalty), only allow
    horizontal swaps"); the loss is the unpenalised spectral loss, and the result's penalty is 0
    (``saveSimulatedAnnealingBackboneResult``: ``p = 0``). The result is the best k-set the search proposed: the
    exact optimum only when the search happened to propose it, which enough iterations make likely, not certain.
    DNA accepts 1 ≤ k ≤ |C| and then fails on a swap when k = |C|; kg asks for 1 ≤ k ≤ |C| − 1.

Where kg differs, on purpose
    * A seeded ``random.Random`` instead of ``ThreadLocalRandom`` / ``Math.random``: the same seed gives the same
      backbone. DNA's moves pick the first element of a shuffled list, i.e. a uniform draw; kg draws uniformly.
    * With two concepts DNA may add the second (leaving the redundant set empty, then fail on a swap); kg only swaps.
    * DNA reports the losses and networks of the *current* solution next to the *best* sets
      (``saveSimulatedAnnealingBackboneResult``); kg reports those of the best sets, as rDNA's documentation
      describes them ("spectral loss between full and backbone network").
"""

from __future__ import annotations

import contextlib
import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.analysis.dna_networks import (
    ONE_MODE_NORMALIZATIONS,
    QUALIFIERS,
    Statement,
    check_choice,
    drop_duplicates,
    one_mode_matrix,
    qualifier_levels,
    statement_array,
)
from kg.model.errors import InputError

if TYPE_CHECKING:
    import numpy as np

    from kg.analysis.rows import Filters
    from kg.store import Store

# rDNA's dna_backbone defaults
PENALTY = 3.5
ITERATIONS = 10_000
METHODS = ("penalty", "nested", "fixed")  # rDNA's dna_backbone(method = c("nested", "fixed", "penalty"))
DEFAULTS = {"qualifier": "subtract", "normalization": "average", "duplicates": "document"}

__all__ = ["PENALTY", "ITERATIONS", "METHODS", "DEFAULTS", "BackboneResult", "normalized_eigenvalues", "spectral_loss",
           "penalized_loss", "temperature", "backbone", "evaluate_backbone", "backbone_from_store", "render_backbone"]


def normalized_eigenvalues(matrix) -> np.ndarray:
    """Exporter.computeNormalizedEigenvalues: negative cells to 0, Laplacian D − A, its eigenvalues divided by their
    sum when positive; in descending order."""
    import numpy as np

    a = np.clip(np.asarray(matrix, dtype=float), 0.0, None)
    lap = np.diag(a.sum(axis=1)) - a
    ev = np.sort(np.linalg.eigvalsh((lap + lap.T) / 2))[::-1]  # symmetric: real eigenvalues
    ev[np.abs(ev) < 1e-12] = 0.0
    total = float(ev.sum())
    return ev / total if total > 0 else ev


def spectral_loss(full, candidate) -> float:
    """Exporter.spectralLoss: Σ sqrt((a_i − b_i)²) over the normalised eigenvalues."""
    import numpy as np

    return float(np.abs(np.asarray(full) - np.asarray(candidate)).sum())


def penalized_loss(full, candidate, p: float, size: int, total: int) -> float:
    """Exporter.penalizedLoss: the spectral loss times exp(−p · (total − size) / total)."""
    return spectral_loss(full, candidate) * math.exp(-p * (total - size) / total)


def temperature(t: int, iterations: int) -> float:
    """Exporter.iterateSimulatedAnnealingBackbone: 1 − 1 / (1 + exp(−(−5 + (12 / T) · t)))."""
    return 1 - (1 / (1 + math.exp(-(-5 + (12.0 / iterations) * t))))


@dataclass
class BackboneResult:
    """The backbone and redundant sets (concept IRIs and labels, sorted by label), their unpenalised spectral losses,
    the three actor networks (over ``actors``) and the search's diagnostics per iteration."""

    method: str
    penalty: float
    iterations: int
    seed: int
    backbone: list[str]
    backbone_labels: list[str]
    redundant: list[str]
    redundant_labels: list[str]
    backbone_loss: float
    redundant_loss: float
    penalized_loss: float
    actors: list[str]
    actor_labels: list[str]
    full_network: np.ndarray = field(repr=False)
    backbone_network: np.ndarray = field(repr=False)
    redundant_network: np.ndarray = field(repr=False)
    statements: int = 0
    options: dict = field(default_factory=dict)
    # per iteration, as rDNA's diagnostics data frame
    diagnostics: dict[str, list] = field(default_factory=dict, repr=False)
    size: int | None = None  # the fixed method's backbone size (rDNA's backbone_size)

    def to_dict(self, diagnostics: bool = False) -> dict:
        def mat(m):
            return [[round(float(x), 6) for x in r] for r in m]

        d = {"method": self.method, "penalty": self.penalty, "iterations": self.iterations, "seed": self.seed,
             "options": self.options, "statements": self.statements,
             "backbone": [{"concept": c, "label": lab} for c, lab in zip(self.backbone, self.backbone_labels)],
             "redundant": [{"concept": c, "label": lab} for c, lab in zip(self.redundant, self.redundant_labels)],
             "unpenalized_backbone_loss": round(self.backbone_loss, 6),
             "unpenalized_redundant_loss": round(self.redundant_loss, 6),
             "penalized_backbone_loss": round(self.penalized_loss, 6),
             "actors": self.actor_labels, "full_network": mat(self.full_network),
             "backbone_network": mat(self.backbone_network), "redundant_network": mat(self.redundant_network)}
        if self.method == "fixed":
            d["backbone_size"] = self.size
        if diagnostics:
            d["diagnostics"] = self.diagnostics
        return d


class _Networks:
    """The actor network of any subset of concepts (a boolean mask over the columns of the statement array), and
    its normalised eigenvalues, remembered per subset (the search revisits subsets often)."""

    def __init__(self, arr, levels, qualifier: str, normalization: str):
        self.arr, self.levels, self.qualifier, self.normalization = arr, levels, qualifier, normalization
        self._eig: dict[bytes, np.ndarray] = {}

    def matrix(self, mask) -> np.ndarray:
        # the statements on the concepts in ``mask``, over all actors of the full network (DNA: isolates kept,
        # then reduced to the full network's rows): the array's columns outside the mask are left out
        return one_mode_matrix(self.arr[:, mask, :], self.levels, self.qualifier, self.normalization)

    def eigenvalues(self, mask) -> np.ndarray:
        key = mask.tobytes()
        ev = self._eig.get(key)
        if ev is None:
            if len(self._eig) > 100_000:
                self._eig.clear()
            ev = self._eig[key] = normalized_eigenvalues(self.matrix(mask))
        return ev


def _prepare(statements: Sequence[Statement], qualifier: str, normalization: str, duplicates: str, scale: str):
    qualifier = check_choice("qualifier aggregation", qualifier, QUALIFIERS)
    normalization = check_choice("one-mode normalization", normalization, ONE_MODE_NORMALIZATIONS)
    levels = qualifier_levels(statements, scale)
    kept = drop_duplicates(statements, duplicates)  # Exporter.filterStatements runs first
    arr, actors, actor_labels, concepts, concept_labels = statement_array(kept, levels)
    options = {"qualifier": qualifier, "normalization": normalization, "duplicates": duplicates, "scale": scale}
    return kept, arr, levels, actors, actor_labels, concepts, concept_labels, options


def _one_blas_thread():
    """One BLAS thread while the search runs, when threadpoolctl is installed: the networks are small, and a
    multi-threaded OpenBLAS spends more on its threads than on an eigenvalue problem of a few hundred rows (six
    times slower on two busy cores)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def backbone(statements: Sequence[Statement], *, penalty: float = PENALTY, iterations: int = ITERATIONS,
             seed: int = 0, qualifier: str = DEFAULTS["qualifier"], normalization: str = DEFAULTS["normalization"],
             duplicates: str = DEFAULTS["duplicates"], scale: str = "agreement", method: str = "penalty",
             size: int | None = None) -> BackboneResult:
    """DNA's penalty backbone, or with ``method="fixed"`` its backbone of ``size`` concepts (simulated annealing
    over backbone sets; see the module docstring) of the one-mode actor network of ``statements``. Needs two
    concepts or more; ``penalty`` ≥ 0 (penalty method only), ``iterations`` ≥ 1. The nested method:
    :func:`kg.analysis.backbone_nested.nested_backbone`."""
    import numpy as np

    method = check_choice("backbone method", method, METHODS)
    if method == "nested":
        raise InputError("the nested backbone has its own function: kg.analysis.backbone_nested.nested_backbone")
    fixed = method == "fixed"
    if fixed and size is None:
        raise InputError("the fixed backbone method needs a backbone size (the number of concepts to keep)")
    if not fixed and size is not None:
        raise InputError("a backbone size goes with the fixed method only")
    if fixed:
        penalty = 0.0  # Exporter.saveSimulatedAnnealingBackboneResult: p = 0 when there is no penalty
    if penalty < 0 or not math.isfinite(penalty):
        raise InputError(f"bad penalty {penalty!r}: use a number of 0 or more (rDNA's default is {PENALTY})")
    if iterations < 1:
        raise InputError(f"bad number of iterations {iterations!r}: use 1 or more (rDNA's default is {ITERATIONS})")
    kept, arr, levels, actors, actor_labels, concepts, concept_labels, options = _prepare(
        statements, qualifier, normalization, duplicates, scale)
    n = len(concepts)
    if n < 2:
        raise InputError(f"a backbone needs at least two concepts (targets); these statements have {n}")
    if fixed and not 1 <= size <= n - 1:
        raise InputError(f"bad backbone size {size!r}: use 1 to {n - 1} (of the {n} concepts; a swap needs one "
                         "outside the backbone)")
    nets = _Networks(arr, levels, options["qualifier"], options["normalization"])
    full = nets.eigenvalues(np.ones(n, dtype=bool))
    rng = random.Random(seed)

    def loss(mask) -> float:
        if fixed:  # Exporter.iterateSimulatedAnnealingBackbone: newLoss = spectralLoss(...) without penalty
            return spectral_loss(full, nets.eigenvalues(mask))
        return penalized_loss(full, nets.eigenvalues(mask), penalty, int(mask.sum()), n)

    current = np.zeros(n, dtype=bool)
    wanted = size  # (the loop below reuses the name ``size`` for the current backbone's)
    if fixed:  # initializeSimulatedAnnealingBackbone: ``size`` distinct concepts drawn uniformly
        current[rng.sample(range(n), size)] = True
    else:
        current[rng.randrange(n)] = True  # B_0 = {c_j}, c_j uniformly drawn
    best = current.copy()
    best_loss = old_loss = loss(current)
    diag: dict[str, list] = {k: [] for k in ("temperature", "acceptance_prob", "acceptance", "penalized_backbone_loss",
                                             "proposed_backbone_size", "current_backbone_size",
                                             "optimal_backbone_size")}
    with _one_blas_thread():
        for t in range(1, iterations + 1):
            temp = temperature(t, iterations)
            size = int(current.sum())
            # DNA: size < 2 → add, swap; size > |C| - 2 → remove, swap; else all three (never an empty set)
            actions = (["add"] if size < n - 1 else []) + (["remove"] if size >= 2 else []) + ["swap"]
            action = "swap" if fixed else rng.choice(actions)  # fixed: "only allow horizontal swaps"
            cand = current.copy()
            inside, outside = np.flatnonzero(current), np.flatnonzero(~current)
            if action in ("add", "swap"):
                cand[outside[rng.randrange(len(outside))]] = True
            if action in ("remove", "swap"):
                cand[inside[rng.randrange(len(inside))]] = False
            new_loss = loss(cand)
            accept, prob = False, -1.0  # DNA logs -1 for an improvement
            if new_loss < old_loss:
                accept = True
                if new_loss <= best_loss:
                    best, best_loss = cand.copy(), new_loss
            else:
                prob = math.exp(-(new_loss - old_loss)) * temp
                accept = rng.random() < prob
            if accept:
                current, old_loss = cand, new_loss
            for k, v in (("temperature", temp), ("acceptance_prob", prob), ("acceptance", int(accept)),
                         ("penalized_backbone_loss", new_loss), ("proposed_backbone_size", int(cand.sum())),
                         ("current_backbone_size", int(current.sum())), ("optimal_backbone_size", int(best.sum()))):
                diag[k].append(v)
    result = _result(method, penalty, iterations, seed, best, best_loss, nets, full, kept, actors, actor_labels,
                     concepts, concept_labels, options, diag)
    result.size = wanted
    return result


def _result(method, penalty, iterations, seed, mask, pen_loss, nets, full, kept, actors, actor_labels, concepts,
            concept_labels, options, diag) -> BackboneResult:
    import numpy as np

    mask = np.asarray(mask, dtype=bool)
    order = sorted(range(len(concepts)), key=lambda j: (concept_labels[j].casefold(), concepts[j]))
    b = [j for j in order if mask[j]]
    r = [j for j in order if not mask[j]]
    return BackboneResult(
        method, penalty, iterations, seed, [concepts[j] for j in b], [concept_labels[j] for j in b],
        [concepts[j] for j in r], [concept_labels[j] for j in r],
        spectral_loss(full, nets.eigenvalues(mask)), spectral_loss(full, nets.eigenvalues(~mask)), pen_loss,
        actors, actor_labels, nets.matrix(np.ones(len(concepts), dtype=bool)), nets.matrix(mask), nets.matrix(~mask),
        len(kept), options, diag)


def evaluate_backbone(statements: Sequence[Statement], backbone_concepts: Sequence[str], *, penalty: float = 0.0,
                      qualifier: str = DEFAULTS["qualifier"], normalization: str = DEFAULTS["normalization"],
                      duplicates: str = DEFAULTS["duplicates"], scale: str = "agreement") -> tuple[float, float]:
    """Exporter.evaluateBackboneSolution (rDNA's ``dna_evaluateBackboneSolution``): the penalised loss of the given
    backbone set and of its complement, the redundant set (``penalty`` 0: unpenalised). Concepts by IRI or label."""
    import numpy as np

    kept, arr, levels, actors, actor_labels, concepts, concept_labels, options = _prepare(
        statements, qualifier, normalization, duplicates, scale)
    wanted = set(backbone_concepts)
    mask = np.array([c in wanted or lab in wanted for c, lab in zip(concepts, concept_labels)], dtype=bool)
    nets = _Networks(arr, levels, options["qualifier"], options["normalization"])
    full = nets.eigenvalues(np.ones(len(concepts), dtype=bool))
    n = len(concepts)
    return (penalized_loss(full, nets.eigenvalues(mask), penalty, int(mask.sum()), n),
            penalized_loss(full, nets.eigenvalues(~mask), penalty, int((~mask).sum()), n))


def backbone_from_store(store: Store, filters: Filters | None = None, **options) -> BackboneResult:
    """:func:`backbone` of the store's assertions that pass ``filters``; ``options`` as for :func:`backbone`."""
    from kg.analysis.dna_networks import store_statements

    statements, _ = store_statements(store, filters, options.get("scale", "agreement"))
    return backbone(statements, **options)


def render_backbone(result: BackboneResult, fmt: str = "table") -> str:
    """The backbone and redundant sets as rDNA prints them (table), one row per concept (csv), or json."""
    from kg.analysis.output import render

    if fmt == "json":
        return json.dumps(result.to_dict(), ensure_ascii=False, indent=1)
    rows = ([{"set": "backbone", "concept": lab} for lab in result.backbone_labels]
            + [{"set": "redundant", "concept": lab} for lab in result.redundant_labels])
    if fmt == "csv":
        return render(rows, "csv", ["set", "concept"])
    o = result.options
    # rDNA's print.dna_backbone: "Penalty: p" for the penalty method, "Backbone size: k" for the fixed one
    given = f"Backbone size: {result.size}" if result.method == "fixed" else f"Penalty: {result.penalty:g}"
    lines = [f"Backbone method: {result.method}. {given}. Iterations: {result.iterations}. Seed: {result.seed}.",
             f"Network: qualifier {o['qualifier']}, normalization {o['normalization']}, duplicates "
             f"{o['duplicates']}, stance scale {o['scale']}; {result.statements} statements, {len(result.actors)} "
             f"actors, {len(result.backbone) + len(result.redundant)} concepts.", "",
             f"Backbone set (loss: {result.backbone_loss:.4f}):"]
    lines += [f"{i} {lab}" for i, lab in enumerate(result.backbone_labels, 1)]
    lines += ["", f"Redundant set (loss: {result.redundant_loss:.4f}):"]
    lines += [f"{i} {lab}" for i, lab in enumerate(result.redundant_labels, 1)]
    lines += ["", "loss: DNA's spectral distance between the full actor network and the network of the set's "
              "concepts only (0: the same structure)."]
    return "\n".join(lines)
