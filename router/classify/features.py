"""TF-IDF over several analyzers, with one transform for a batch and for a single message.

Why not ``TfidfVectorizer`` and ``FeatureUnion``: their per-call validation costs more than
the whole computation for one short message, and they would put scikit-learn objects (that
only unpickle under the same scikit-learn version) in the artifact. Here the fitted state is
a vocabulary per block and one IDF array, stored as plain data.

Weighting matches scikit-learn's ``sublinear_tf=True, smooth_idf=True, norm="l2"``, applied
per block so each view counts equally whatever its number of n-grams.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from router.classify.analyzers import (
    Prepared,
    char_ngrams,
    chunk_ngrams,
    prepare,
    word_ngrams,
    word_pairs,
    word_unigrams,
)

Analyzer = Callable[[Prepared], list[str]]
ANALYZERS: dict[str, Analyzer] = {
    "unigrams": word_unigrams,
    "words": word_ngrams,
    "pairs": word_pairs,
    "chars": char_ngrams,
}
DEFAULT_BLOCKS = ("words", "pairs", "chars")


@dataclass(frozen=True, slots=True)
class Block:
    """One analyzer's fitted vocabulary; values are global column numbers."""

    name: str
    vocabulary: dict[str, int]


class FeatureSpace:
    """The fitted text representation shared by every head of a model."""

    def __init__(self, blocks: Sequence[Block], idf: NDArray[np.float32]) -> None:
        self.blocks = tuple(blocks)
        self.idf = idf
        self._extractors = [_extractor(block) for block in self.blocks]
        # Blocks own consecutive column ranges: a column's block is found by its start.
        self._starts = np.cumsum([0] + [len(b.vocabulary) for b in self.blocks[:-1]])

    @property
    def n_features(self) -> int:
        return int(self.idf.shape[0])

    @classmethod
    def fit(
        cls, texts: Sequence[str], *, blocks: Sequence[str] = DEFAULT_BLOCKS, min_df: int = 1
    ) -> FeatureSpace:
        """Learn vocabularies (sorted, so the same data gives the same columns) and IDF."""
        frequencies = [Counter[str]() for _ in blocks]
        for text in texts:
            prepared = prepare(text)
            for name, counter in zip(blocks, frequencies, strict=True):
                counter.update(set(ANALYZERS[name](prepared)))
        fitted: list[Block] = []
        document_frequency: list[int] = []
        for name, counter in zip(blocks, frequencies, strict=True):
            kept = sorted(gram for gram, df in counter.items() if df >= min_df)
            start = len(document_frequency)
            fitted.append(Block(name, {gram: start + i for i, gram in enumerate(kept)}))
            document_frequency.extend(counter[gram] for gram in kept)
        df = np.asarray(document_frequency, dtype=np.float64)
        idf = np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0
        return cls(fitted, idf.astype(np.float32))

    def subspace(
        self, blocks: Sequence[str], document_frequency: NDArray[np.int64], min_df: int
    ) -> tuple[FeatureSpace, NDArray[np.int64]]:
        """Some blocks without their n-grams rarer than ``min_df``, and the columns kept.

        The result equals ``FeatureSpace.fit`` on the same texts with those options (same
        vocabularies in the same order, same IDF), so model selection can transform the
        texts once and try every feature configuration by slicing (see ``restrict``).
        """
        kept: list[Block] = []
        columns: list[int] = []
        for block in self.blocks:
            if block.name not in blocks:
                continue
            grams = [
                g for g in block.vocabulary if document_frequency[block.vocabulary[g]] >= min_df
            ]
            grams.sort(key=block.vocabulary.__getitem__)
            start = len(columns)
            kept.append(Block(block.name, {gram: start + i for i, gram in enumerate(grams)}))
            columns += [block.vocabulary[gram] for gram in grams]
        index = np.asarray(columns, dtype=np.int64)
        return FeatureSpace(kept, self.idf[index]), index

    def restrict(self, matrix: sparse.csr_matrix, columns: NDArray[np.int64]) -> sparse.csr_matrix:
        """``matrix`` (from a wider space) as this subspace would transform it.

        Dropping columns changes each block's L2 norm, so every block is normalised again.
        """
        sliced = matrix[:, columns].tocsr()
        edges = np.cumsum([0] + [len(b.vocabulary) for b in self.blocks])
        parts = [_l2_rows(sliced[:, a:b]) for a, b in zip(edges[:-1], edges[1:], strict=True)]
        return sparse.hstack(parts, format="csr", dtype=np.float32)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Rows of L2-normalised TF-IDF blocks, float32 to match the heads' weights."""
        columns: list[int] = []
        lengths: list[int] = []
        for text in texts:
            self._columns(text, columns, lengths)
        row, column, values = self._weigh(columns, lengths)
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(np.bincount(row, minlength=len(texts)), out=indptr[1:])
        return sparse.csr_matrix((values, column, indptr), shape=(len(texts), self.n_features))

    def row(self, text: str) -> SparseRow:
        """One message without scipy or ``np.unique``, whose overheads exceed the maths."""
        columns: list[int] = []
        self._columns(text, columns, [])
        counted = Counter(columns)
        column = np.fromiter(counted.keys(), dtype=np.int64, count=len(counted))
        counts = np.fromiter(counted.values(), dtype=np.float32, count=len(counted))
        block = np.searchsorted(self._starts, column, side="right") - 1
        values = (np.log(counts) + np.float32(1.0)) * self.idf[column]
        norms = np.sqrt(np.bincount(block, weights=values * values, minlength=len(self.blocks)))
        return SparseRow(column, (values / norms[block]).astype(np.float32))

    def _columns(self, text: str, columns: list[int], lengths: list[int]) -> None:
        prepared = prepare(text)
        for extract in self._extractors:
            found = extract(prepared)
            columns += found
            lengths.append(len(found))

    def _weigh(
        self, columns: list[int], lengths: list[int]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float32]]:
        """Counts per (row, block, column) to sublinear TF x IDF, L2 per (row, block)."""
        n_features = self.n_features
        segments = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        keys, counts = np.unique(
            segments * n_features + np.asarray(columns, dtype=np.int64), return_counts=True
        )
        segment, column = np.divmod(keys, n_features)
        values = (1.0 + np.log(counts)).astype(np.float32) * self.idf[column]
        norms = np.sqrt(np.bincount(segment, weights=values * values, minlength=len(lengths)))
        values /= norms[segment].astype(np.float32)
        return segment // len(self.blocks), column, values


def _l2_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0.0] = 1.0
    scaled: sparse.csr_matrix = sparse.diags((1.0 / norms).astype(np.float32)) @ matrix
    return scaled


def _extractor(block: Block) -> Callable[[Prepared], list[int]]:
    """Known columns of a message for one block; character n-grams go through a cache."""
    get = block.vocabulary.get
    if block.name == "chars":
        return _ChunkColumns(get)
    analyzer = ANALYZERS[block.name]
    return lambda prepared: [c for c in map(get, analyzer(prepared)) if c is not None]


class _ChunkColumns:
    """Character n-gram columns per chunk (word with its punctuation), memoised.

    Character n-grams are most of a message's n-grams, yet customers reuse few words: a
    chunk's columns are computed once and then cost one dict lookup. The cache is cleared
    when full, so a flood of never-seen tokens cannot grow it without bound.
    """

    LIMIT = 50_000

    def __init__(self, get: Callable[[str], int | None]) -> None:
        self._get = get
        self._cache: dict[str, list[int]] = {}

    def __call__(self, prepared: Prepared) -> list[int]:
        columns: list[int] = []
        cache = self._cache
        for chunk in prepared.chunks:
            found = cache.get(chunk)
            if found is None:
                found = [c for c in map(self._get, chunk_ngrams(chunk)) if c is not None]
                if len(cache) >= self.LIMIT:
                    cache.clear()
                cache[chunk] = found
            columns += found
        return columns


@dataclass(frozen=True, slots=True)
class SparseRow:
    """One message's non-zero features; ``dot`` mirrors ``csr_matrix.dot`` for the heads."""

    columns: NDArray[np.int64]
    values: NDArray[np.float32]

    def dot(self, weights: NDArray[np.float32]) -> NDArray[np.float32]:
        product: NDArray[np.float32] = (self.values @ weights[self.columns])[np.newaxis, :]
        return product
