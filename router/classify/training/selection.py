"""Choosing features and regularisation by stratified k-fold cross-validation.

Every candidate configuration is scored out of fold on the same folds. The baseline (a
plain bag of words and scikit-learn's default ``LinearSVC``) is one of the candidates and is
always run to the end; another candidate is chosen only if it is at least as good as the
baseline on both accuracy and macro-F1, so on the cross-validation the trained model is
never worse than the baseline. Richer features win on large data and lose on small data
(issue 19: 0.790 against 0.808 on 330 French rows); the validation decides, not a default.

Kept cheap: the texts are transformed once in the widest space and each candidate's matrix
is a column slice of it (``FeatureSpace.subspace``: vocabulary and IDF are unsupervised, so
sharing them across folds leaks no label); the candidates of one fold are fitted in parallel
threads (liblinear releases the GIL); a candidate clearly behind the leader after a fold is
dropped. The winner's out-of-fold scores are returned: they calibrate its temperature and
thresholds, so the chosen model needs no second cross-validation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from router.classify.calibration import fold_count
from router.classify.features import FeatureSpace
from router.classify.heads import LinearHead, Matrix, fit_linear_head
from router.classify.training import stacking
from router.classify.training.fitting import OutOfFold

Tick = Callable[[str], None]
FinalFit = Callable[[Matrix, Sequence[str]], LinearHead]
WIDEST = ("unigrams", "words", "pairs", "chars")
"""Every block any candidate uses: the one space the texts are transformed into."""

REJECT_SIGMAS = 3.0
"""A candidate this many standard errors behind the leader after a fold is dropped."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One configuration: feature blocks, rare n-grams dropped, SVM cost, class weights."""

    name: str
    blocks: tuple[str, ...]
    min_df: int = 1
    c: float = 0.5
    balanced: bool = True
    stacked: bool = False  # one SVM per block and one on all, combined (see ``stacking``)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "blocks": list(self.blocks),
            "min_df": self.min_df,
            "c": self.c,
            "class_weight": "balanced" if self.balanced else None,
            "stacked": self.stacked,
        }


BASELINE = Candidate("baseline: word TF-IDF + LinearSVC", ("unigrams",), c=1.0, balanced=False)
CANDIDATES = (
    BASELINE,
    Candidate("words 1-2 + chars 2-5", ("words", "chars"), c=1.0),
    Candidate("words + stem pairs + chars, C=0.5", ("words", "pairs", "chars"), min_df=2, c=0.5),
    Candidate(
        "stacked: an SVM per block and on all, combined",
        ("words", "pairs", "chars"),
        min_df=2,
        c=0.5,
        stacked=True,
    ),
)
"""Baseline first, then from simple to rich: ties go to the earlier, simpler one."""


@dataclass(frozen=True, slots=True)
class View:
    """A candidate's feature space and the training rows in it."""

    candidate: Candidate
    space: FeatureSpace
    matrix: Matrix
    extra: Matrix | None


@dataclass(frozen=True, slots=True)
class Trial:
    """A candidate's out-of-fold figures; ``rejected`` ones stopped after ``folds`` folds."""

    candidate: Candidate
    accuracy: float
    macro_f1: float
    folds: int
    rejected: bool

    def describe(self) -> dict[str, Any]:
        return {
            **self.candidate.describe(),
            "cv_accuracy": round(self.accuracy, 4),
            "cv_macro_f1": round(self.macro_f1, 4),
            "folds_run": self.folds,
            "rejected_early": self.rejected,
        }


@dataclass(frozen=True, slots=True)
class Selection:
    """The chosen view, the baseline's, every trial, and the winner's out-of-fold scores."""

    chosen: View
    baseline: View
    trials: tuple[Trial, ...]
    folds: int
    out_of_fold: OutOfFold | None  # None when too few rows per class for two folds

    def describe(self) -> dict[str, Any]:
        """What the artifact's metadata keeps: plain JSON."""
        by_name = {t.candidate.name: t for t in self.trials}
        chosen, baseline = by_name.get(self.chosen.candidate.name), by_name.get(BASELINE.name)
        return {
            "method": f"stratified {self.folds}-fold cross-validation"
            if self.folds >= 2
            else "none (too few rows per class): the baseline",
            "chosen": chosen.describe() if chosen else self.chosen.candidate.describe(),
            "baseline": baseline.describe() if baseline else BASELINE.describe(),
            "trials": [t.describe() for t in self.trials],
        }


def views(
    space: FeatureSpace,
    matrix: Matrix,
    extra: Matrix | None,
    candidates: Sequence[Candidate] = CANDIDATES,
) -> list[View]:
    """Each candidate's matrices, sliced from ``matrix`` (training rows in ``space``);
    candidates left without features on this data are skipped."""
    document_frequency = np.bincount(matrix.indices, minlength=space.n_features)
    out = []
    for candidate in candidates:
        sub, columns = space.subspace(candidate.blocks, document_frequency, candidate.min_df)
        if sub.n_features == 0 and candidate != BASELINE:
            continue  # e.g. ``min_df=2`` on a handful of rows: nothing left to learn from
        sliced = None if extra is None else sub.restrict(extra, columns)
        out.append(View(candidate, sub, sub.restrict(matrix, columns), sliced))
    return out


def select(
    candidates: Sequence[View],
    labels: Sequence[str],
    *,
    folds: int,
    tick: Tick,
    jobs: int = 2,
) -> Selection:
    """Cross-validate ``candidates`` (the baseline among them) and pick the best not worse."""
    baseline = next(v for v in candidates if v.candidate == BASELINE)
    k = fold_count(labels, folds)
    if k < 2:
        return Selection(baseline, baseline, (), k, None)
    scored = _cross_validate(candidates, np.asarray(labels), k, tick, jobs)
    trials = tuple(trial for trial, _ in scored)
    best = _choose(trials)
    return Selection(candidates[best], baseline, trials, k, scored[best][1])


def _cross_validate(
    candidates: Sequence[View], labels: NDArray[np.str_], k: int, tick: Tick, jobs: int
) -> list[tuple[Trial, OutOfFold | None]]:
    from joblib import Parallel, delayed
    from sklearn.model_selection import StratifiedKFold

    classes = sorted(set(labels.tolist()))
    truth = np.searchsorted(classes, labels)
    runs = [_Run(view, len(labels), len(classes)) for view in candidates]
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=0)
    seen = np.zeros(len(labels), dtype=bool)
    with Parallel(n_jobs=jobs, prefer="threads") as parallel:
        for fold, (train, valid) in enumerate(splitter.split(np.zeros(len(labels)), labels)):
            # Richest first: the costliest fit starts at once instead of running alone last.
            alive = [run for run in reversed(runs) if not run.rejected]
            heads = parallel(delayed(run.fit)(train, labels[train]) for run in alive)
            for run, head in zip(alive, heads, strict=True):
                run.score(head, classes, valid, fold, k)
            seen[valid] = True
            tick(f"model selection: fold {fold + 1} of {k}, {len(alive)} candidates")
            if fold + 1 < k:
                _reject_laggards(runs, truth, seen)
    return [run.result(labels, truth, seen, k) for run in runs]


class _Run:
    """One candidate's out-of-fold scores as the folds come in.

    A stacked candidate keeps every part's scores; until its combiner is cross-validated
    at the end, its running figure (for early rejection) is that of its all-blocks part.
    """

    def __init__(self, view: View, rows: int, classes: int) -> None:
        self.view = view
        self.scores = np.zeros((rows, classes), dtype=np.float32)
        extra = view.extra
        self.extra = None if extra is None else np.zeros((extra.shape[0], classes), np.float32)
        self.columns = stacking.parts(view.space) if view.candidate.stacked else None
        width = classes * (len(self.columns) if self.columns else 1)
        self.part_scores = np.zeros((rows, width), dtype=np.float32)
        self.part_extra = None if extra is None else np.zeros((extra.shape[0], width), np.float32)
        self.rejected = False
        self.folds = 0

    def fit(self, train: NDArray[np.int64], labels: NDArray[np.str_]) -> list[LinearHead]:
        candidate, matrix = self.view.candidate, self.view.matrix[train]
        if self.columns is not None:
            return stacking.fit_parts(
                matrix, list(labels), self.columns, c=candidate.c, balanced=candidate.balanced
            )
        return [fit_linear_head(matrix, list(labels), c=candidate.c, balanced=candidate.balanced)]

    def score(
        self,
        heads: list[LinearHead],
        classes: list[str],
        valid: NDArray[np.int64],
        fold: int,
        k: int,
    ) -> None:
        columns = self.columns or [np.arange(self.view.matrix.shape[1])]
        found = stacking.part_scores(heads, self.view.matrix[valid], columns, classes)
        self.part_scores[valid] = found
        self.scores[valid] = found[:, -len(classes) :]
        if self.extra is not None and self.part_extra is not None and self.view.extra is not None:
            # Out-of-scope rows never train: each fold's model scores its share of them.
            share = np.arange(fold, self.extra.shape[0], k)
            found = stacking.part_scores(heads, self.view.extra[share], columns, classes)
            self.part_extra[share] = found
            self.extra[share] = found[:, -len(classes) :]
        self.folds += 1

    def accuracy(self, truth: NDArray[np.int64], seen: NDArray[np.bool_]) -> float:
        return float(np.mean(self.scores[seen].argmax(axis=1) == truth[seen]))

    def result(
        self, labels: NDArray[np.str_], truth: NDArray[np.int64], seen: NDArray[np.bool_], k: int
    ) -> tuple[Trial, OutOfFold | None]:
        from sklearn.metrics import f1_score

        final = None
        if self.columns is not None and not self.rejected:
            final = self._combine(labels, k)
        mask = seen if self.rejected else np.ones_like(seen)
        predicted = self.scores[mask].argmax(axis=1)
        macro = float(f1_score(truth[mask], predicted, average="macro", zero_division=0))
        accuracy = self.accuracy(truth, mask)
        trial = Trial(self.view.candidate, accuracy, macro, self.folds, self.rejected)
        return trial, None if self.rejected else OutOfFold(self.scores, self.extra, k, final)

    def _combine(self, labels: NDArray[np.str_], k: int) -> FinalFit:
        """Cross-validate the combiner on the parts' scores; return the final fit."""
        names = sorted(set(labels.tolist()))
        self.scores = stacking.combiner_out_of_fold(self.part_scores, list(labels), k)
        weights, bias = stacking.fit_combiner(self.part_scores, list(labels))
        if self.extra is not None and self.part_extra is not None:
            self.extra = self.part_extra @ weights + bias
        columns, candidate = self.columns or [], self.view.candidate
        n_features = self.view.matrix.shape[1]

        def final(matrix: Matrix, rows: Sequence[str]) -> LinearHead:
            heads = stacking.fit_parts(
                matrix, rows, columns, c=candidate.c, balanced=candidate.balanced
            )
            return stacking.fold(heads, columns, weights, bias, n_features, names)

        return final


def _reject_laggards(runs: list[_Run], truth: NDArray[np.int64], seen: NDArray[np.bool_]) -> None:
    """Drop candidates far enough behind the leader that more folds would not save them.

    The margin is a few binomial standard errors of the leader's accuracy on the rows seen
    so far: generous after one fold of a small file, tight on a large one. The baseline is
    never dropped: its full figures are reported next to the model's.
    """
    alive = [run for run in runs if not run.rejected]
    accuracies = [run.accuracy(truth, seen) for run in alive]
    leader = max(accuracies)
    margin = REJECT_SIGMAS * np.sqrt(max(leader * (1.0 - leader), 1e-4) / int(seen.sum()))
    for run, accuracy in zip(alive, accuracies, strict=True):
        if run.view.candidate != BASELINE and accuracy < leader - margin:
            run.rejected = True


def _choose(trials: Sequence[Trial]) -> int:
    """Highest accuracy (then macro-F1) among the finished trials not worse than the
    baseline on either figure; ties go to the earlier, simpler candidate."""
    baseline = next(t for t in trials if t.candidate == BASELINE)
    eligible = [
        i
        for i, t in enumerate(trials)
        if not t.rejected and t.accuracy >= baseline.accuracy and t.macro_f1 >= baseline.macro_f1
    ]
    return max(eligible, key=lambda i: (trials[i].accuracy, trials[i].macro_f1, -i))
