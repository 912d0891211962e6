"""Model bytes: round trip, checksum refusal, and the inline mechanics of training."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from router.classify import artifact
from router.classify.analyzers import char_ngrams, prepare, word_ngrams, word_pairs
from router.classify.errors import ArtifactRejected, DatasetError
from router.classify.features import FeatureSpace
from router.classify.labels import UNKNOWN
from router.classify.model import ClassifierArtifact
from router.classify.runtime import Classifier
from router.classify.training.train import train_text

TEXTS = [
    "my card has not arrived yet",
    "when will my new card arrive",
    "card still not delivered after a week",
    "where is the card you sent me",
    "has my card been posted",
    "the card never came in the mail",
    "I want a refund for this purchase",
    "please refund my money",
    "how do I get my money back",
    "refund the duplicate payment",
    "I need a refund now",
    "give me back my money for the order",
]
LABELS = ["card"] * 6 + ["refund"] * 6


@pytest.fixture(scope="module")
def small() -> ClassifierArtifact:
    return train_text(TEXTS, LABELS, version="test-1")


def test_round_trip_keeps_every_prediction(small: ClassifierArtifact) -> None:
    written = artifact.dump(small)
    assert written.sha256 == hashlib.sha256(written.payload).hexdigest()
    loaded = artifact.load(written.payload, written.sha256)
    assert loaded.metadata == small.metadata
    texts = ["my card is lost", "refund please", "", "😀"]
    assert Classifier.from_artifact(loaded).classify_many(texts) == Classifier.from_artifact(
        small
    ).classify_many(texts)


def test_metadata_is_readable_without_the_weights(small: ClassifierArtifact) -> None:
    written = artifact.dump(small)
    assert artifact.read_metadata(written.payload, written.sha256).version == "test-1"


@pytest.mark.parametrize("tamper", ["flip", "truncate", "append"])
def test_bytes_that_do_not_match_the_recorded_checksum_are_refused(
    small: ClassifierArtifact, tamper: str
) -> None:
    written = artifact.dump(small)
    payload = {
        "flip": written.payload[:-10] + bytes([written.payload[-10] ^ 1]) + written.payload[-9:],
        "truncate": written.payload[:-1],
        "append": written.payload + b"\x00",
    }[tamper]
    with pytest.raises(ArtifactRejected, match="sha256 does not match"):
        artifact.load(payload, written.sha256)
    with pytest.raises(ArtifactRejected):
        artifact.read_metadata(payload, written.sha256)


def test_foreign_bytes_with_their_own_checksum_are_refused() -> None:
    pickle_like = b"\x80\x04\x95cos\nsystem\n"
    with pytest.raises(ArtifactRejected, match="not an Aiguillage classifier"):
        artifact.load(pickle_like, hashlib.sha256(pickle_like).hexdigest())


def test_a_checksum_from_another_model_is_refused(small: ClassifierArtifact) -> None:
    other = train_text(TEXTS[::-1], LABELS[::-1], version="test-2")
    with pytest.raises(ArtifactRejected):
        artifact.load(artifact.dump(small).payload, artifact.dump(other).sha256)


def test_tiny_data_trains_without_validation(small: ClassifierArtifact) -> None:
    tiny = train_text(["a card", "the card", "a refund", "the refund"], ["c", "c", "r", "r"])
    assert tiny.metadata.calibration.startswith("2-fold")
    single = train_text(["a card", "the card", "a refund"], ["c", "c", "r"])
    assert single.metadata.calibration == "none (too few rows)"
    assert single.model.intent_threshold == 0.0
    assert Classifier.from_artifact(single).classify("card").intent == "c"


def test_one_label_is_not_trainable() -> None:
    with pytest.raises(DatasetError, match="at least two different labels"):
        train_text(["a", "b"], ["x", "x"])


def test_out_of_scope_rows_validate_the_threshold_but_never_train() -> None:
    texts = TEXTS + ["what is the weather like", "tell me a joke", "who won the match"] * 2
    labels = LABELS + [UNKNOWN] * 6
    model = train_text(texts, labels).model
    assert model.intent.classes == ("card", "refund")
    assert model.intent_threshold > 0.5


def test_features_match_scikit_learn_tfidf() -> None:
    texts = [t + " !" for t in TEXTS] + ["Prélèvement refusé, carte bloquée ?"]
    ours = FeatureSpace.fit(texts)
    matrix = ours.transform(texts).toarray()
    start = 0
    for block, analyzer in zip(ours.blocks, (word_ngrams, word_pairs, char_ngrams), strict=True):
        reference = TfidfVectorizer(
            analyzer=lambda t, a=analyzer: a(prepare(t)), sublinear_tf=True, dtype=np.float64
        )
        expected = reference.fit_transform(texts).toarray()
        order = [
            reference.vocabulary_[g] for g in sorted(block.vocabulary, key=block.vocabulary.get)
        ]
        width = len(block.vocabulary)
        np.testing.assert_allclose(matrix[:, start : start + width], expected[:, order], rtol=1e-5)
        start += width


def test_min_df_prunes_rare_ngrams() -> None:
    assert FeatureSpace.fit(TEXTS, min_df=2).n_features < FeatureSpace.fit(TEXTS).n_features


@pytest.mark.parametrize(
    "payload",
    [
        artifact.MAGIC,
        artifact.MAGIC + b"\x00\x00\x00\x05{oops",
        artifact.MAGIC + b"\x00\x00\x00\x02[]",
        artifact.MAGIC + b'\x00\x00\x00\x0c{"format":9}',
        artifact.MAGIC + b'\x00\x00\x00\x0c{"format":1}not-an-npz',
        artifact.MAGIC + b'\x00\x00\x00\x0c{"format":1}PK\x03\x04truncated',
    ],
)
def test_malformed_bytes_with_a_matching_checksum_are_refused(payload: bytes) -> None:
    with pytest.raises(ArtifactRejected):
        artifact.load(payload, hashlib.sha256(payload).hexdigest())
