"""Model selection by cross-validation: the baseline is beaten only when it truly is."""

from __future__ import annotations

import itertools

import numpy as np

from router.classify import artifact
from router.classify.features import FeatureSpace
from router.classify.training import stacking
from router.classify.training.selection import BASELINE, Candidate
from router.classify.training.train import TrainingSettings, fit_text, train_text

SUBJECTS = ["the dog", "the cat", "my bank", "a clerk", "the card", "our agent"]
OBJECTS = ["the man", "the bill", "a letter", "the fee", "my phone", "the form"]
WORD_ORDER = Candidate("words 1-2", ("words",), c=1.0)


def order_rows() -> tuple[list[str], list[str]]:
    """The label is which of two words comes first: the same bag of words either way."""
    texts, labels = [], []
    for subject, obj in itertools.product(SUBJECTS, OBJECTS):
        texts += [f"{subject} saw {obj}", f"{obj} saw {subject}"]
        labels += ["forward", "backward"]
    return texts, labels


def keyword_rows() -> tuple[list[str], list[str]]:
    """The label is one keyword: a bag of words is all it takes."""
    texts, labels = [], []
    for (subject, obj), label in itertools.product(
        itertools.product(SUBJECTS, OBJECTS[:3]), ("refund", "invoice", "delivery")
    ):
        texts.append(f"{subject} asked about {label} for {obj}")
        labels.append(label)
    return texts, labels


def test_a_richer_configuration_wins_when_the_baseline_cannot_see_the_signal() -> None:
    texts, labels = order_rows()
    settings = TrainingSettings(candidates=(BASELINE, WORD_ORDER))
    trained = fit_text(texts, labels, settings=settings)
    selection = trained.artifact.metadata.selection
    assert selection is not None
    assert selection["chosen"]["name"] == "words 1-2"
    assert selection["chosen"]["cv_accuracy"] > 0.95
    assert selection["baseline"]["cv_accuracy"] < 0.75  # word order is invisible to it
    assert [b.name for b in trained.artifact.model.features.blocks] == ["words"]
    assert [b.name for b in trained.baseline.features.blocks] == ["unigrams"]


def test_the_baseline_is_kept_when_the_candidates_do_worse() -> None:
    texts, labels = keyword_rows()
    # Each keyword is in 18 rows: pruning at 19 leaves only words every label shares.
    starved = Candidate("unigrams, min_df 19", ("unigrams",), min_df=19)
    trained = train_text(texts, labels, settings=TrainingSettings(candidates=(BASELINE, starved)))
    selection = trained.metadata.selection
    assert selection is not None
    assert selection["chosen"]["name"] == BASELINE.name
    assert selection["chosen"]["cv_accuracy"] == 1.0
    trial = next(t for t in selection["trials"] if t["name"] == starved.name)
    # Far behind after the first fold: dropped without running the other folds.
    assert trial["rejected_early"] and trial["folds_run"] == 1
    assert [b.name for b in trained.model.features.blocks] == ["unigrams"]


def test_the_choice_and_its_score_survive_serialisation() -> None:
    texts, labels = keyword_rows()
    trained = train_text(texts, labels)
    serialized = artifact.dump(trained)
    loaded = artifact.load(serialized.payload, serialized.sha256)
    assert loaded.metadata.selection == trained.metadata.selection
    assert artifact.read_metadata(serialized.payload, serialized.sha256).selection is not None
    described = trained.metadata.selection
    assert described is not None
    assert described["method"] == "stratified 5-fold cross-validation"
    # A small file: every candidate but the stacked ones (TrainingSettings.eligible).
    assert len(described["trials"]) == len(TrainingSettings().eligible(len(labels)))
    assert len(described["trials"]) < len(TrainingSettings().candidates)


def test_too_few_rows_for_two_folds_train_the_baseline() -> None:
    trained = train_text(["a card", "the card", "a refund"], ["c", "c", "r"])
    selection = trained.metadata.selection
    assert selection is not None and selection["chosen"]["name"] == BASELINE.name
    assert selection["method"].startswith("none")


def test_a_subspace_equals_fitting_those_blocks_from_scratch() -> None:
    texts, _ = keyword_rows()
    texts += ["the the card card!", "Réfund for the délivery?"]
    wide = FeatureSpace.fit(texts, blocks=("unigrams", "words", "pairs", "chars"))
    matrix = wide.transform(texts)
    frequency = np.bincount(matrix.indices, minlength=wide.n_features)
    sub, columns = wide.subspace(("words", "chars"), frequency, 2)
    direct = FeatureSpace.fit(texts, blocks=("words", "chars"), min_df=2)
    assert [b.vocabulary for b in sub.blocks] == [b.vocabulary for b in direct.blocks]
    np.testing.assert_allclose(sub.idf, direct.idf, rtol=1e-6)
    sliced = sub.restrict(matrix, columns)
    np.testing.assert_allclose(sliced.toarray(), direct.transform(texts).toarray(), atol=1e-6)


def test_a_stacked_head_folds_into_one_linear_head_with_the_same_scores() -> None:
    texts, labels = keyword_rows()
    space = FeatureSpace.fit(texts, blocks=("words", "pairs", "chars"))
    matrix = space.transform(texts)
    columns = stacking.parts(space)
    assert len(columns) == 4  # three blocks alone, then all of them
    heads = stacking.fit_parts(matrix, labels, columns, c=0.5, balanced=True)
    classes = sorted(set(labels))
    scores = stacking.part_scores(heads, matrix, columns, classes)
    weights, bias = stacking.fit_combiner(scores, labels)
    folded = stacking.fold(heads, columns, weights, bias, space.n_features, classes)
    np.testing.assert_allclose(folded.scores(matrix), scores @ weights + bias, atol=1e-4)
    row = space.row(texts[0])  # the single-message path serves it as any head
    np.testing.assert_allclose(folded.scores(row)[0], folded.scores(matrix[:1])[0], atol=1e-5)
