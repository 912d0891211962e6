"""The classifier in service: versions stored in the database, one active, loaded by every
process; trained at first start, retrained with advisors' corrections, promoted only when
not worse on the held-out data, rolled back on demand.

Only payloads this service wrote are loaded, and only after their SHA-256 matches the one
recorded at training time (``router.classify.artifact.load``).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.classify.artifact import dump, load
from router.classify.labels import EMOTIONS, INTENTS
from router.classify.model import ClassifierArtifact
from router.classify.runtime import Classification, Classifier
from router.classify.training.assess import assess
from router.classify.training.compare import Verdict, compare
from router.classify.training.dataset import Example, shipped_examples
from router.classify.training.isolated import train_serialized
from router.classify.training.metrics import ModelMetrics
from router.classify.training.train import Progress, train
from router.errors import Conflict, InvalidRequest, NotFound
from router.models import ClassifierModel, LabelCorrection, Message
from router.models.classifier import ClassifierModelPublic, CorrectionCreate, CorrectionPublic
from router.models.security import ServerSecret
from router.observability import metrics
from router.security.principal import Principal
from router.store import Database, insert_ignoring_duplicates
from router.store.types import utcnow
from router.tickets.conversations import get_message

log = logging.getLogger(__name__)
BOOTSTRAP_LOCK = "classifier-bootstrap"
BOOTSTRAP_TIMEOUT = timedelta(minutes=10)  # a trainer that died frees the lock after this


def public(row: ClassifierModel) -> ClassifierModelPublic:
    return ClassifierModelPublic.model_validate(row, from_attributes=True)


def classification_data(result: Classification, version: str) -> dict[str, object]:
    """What is stored on a message and returned by POST /v1/classify."""
    return {
        "model_version": version,
        "language": result.language,
        "intent": result.intent,
        "intent_confidence": round(result.intent_confidence, 4),
        "alternatives": [
            {"intent": label, "confidence": round(p, 4)} for label, p in result.alternatives
        ],
        "emotion": result.emotion,
        "emotion_intensity": round(result.emotion_intensity, 4),
        "reasons": list(result.reasons),
    }


# -- versions -------------------------------------------------------------------------


async def store(
    db: Database, artifact: ClassifierArtifact, source: str, *, activate: bool, verdict: str
) -> ClassifierModelPublic:
    serialized = await asyncio.to_thread(dump, artifact)
    meta = artifact.metadata
    row = ClassifierModel(
        version=meta.version,
        source=source,
        data_sha256=meta.data_sha256,
        sklearn_version=meta.sklearn_version,
        sha256=serialized.sha256,
        payload=serialized.payload,
        metrics=meta.metrics.to_dict(),
        verdict=verdict,
    )
    async with db.session() as session:
        session.add(row)
        await session.flush()
        if activate:
            await _activate(session, row)
        await session.commit()
    return public(row)


async def _activate(session: AsyncSession, row: ClassifierModel) -> None:
    await session.execute(
        update(ClassifierModel).where(col(ClassifierModel.active)).values(active=False)
    )
    await session.flush()
    row.active, row.promoted_at = True, utcnow()


async def list_models(db: Database) -> list[ClassifierModelPublic]:
    async with db.read_session() as session:
        rows = await session.scalars(
            select(ClassifierModel).order_by(col(ClassifierModel.id).desc())
        )
        return [public(row) for row in rows]


async def promote(db: Database, version: str) -> ClassifierModelPublic:
    async with db.session() as session:
        row = await session.scalar(
            select(ClassifierModel).where(col(ClassifierModel.version) == version)
        )
        if row is None:
            raise NotFound(f"classifier version {version!r} does not exist", field="version")
        if row.active:
            raise Conflict(f"classifier version {version!r} is already active")
        await _activate(session, row)
        await session.commit()
        return public(row)


async def rollback(db: Database) -> ClassifierModelPublic:
    """Back to the version that was active before the current one."""
    async with db.session() as session:
        promoted = (
            await session.scalars(
                select(ClassifierModel)
                .where(col(ClassifierModel.promoted_at).is_not(None))
                .order_by(col(ClassifierModel.promoted_at).desc())
            )
        ).all()
        previous = next((row for row in promoted if not row.active), None)
        if previous is None:
            raise Conflict("no earlier promoted classifier version to roll back to")
        await _activate(session, previous)
        await session.commit()
        return public(previous)


async def active_version(db: Database) -> str | None:
    """Cheap: the version only, not the weights."""
    async with db.read_session() as session:
        version = await session.scalar(
            select(ClassifierModel.version).where(col(ClassifierModel.active))
        )
    return version


async def active_artifact(db: Database) -> tuple[str, ClassifierArtifact] | None:
    async with db.read_session() as session:
        row = await session.scalar(select(ClassifierModel).where(col(ClassifierModel.active)))
    if row is None:
        return None
    return row.version, await asyncio.to_thread(load, row.payload, row.sha256)


# -- training -------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingReport:
    model: ClassifierModelPublic
    verdict: Verdict
    corrections: int


async def train_candidate(
    db: Database, *, include_corrections: bool, progress: Progress | None = None
) -> TrainingReport:
    """Train on the shipped data (plus corrections), evaluate on the held-out set, and
    promote only when the candidate is not worse than the active model."""
    examples = await asyncio.to_thread(shipped_examples, "train")
    heldout = await asyncio.to_thread(shipped_examples, "heldout")
    extra = await correction_examples(db) if include_corrections else []
    if progress is None:
        artifact = await _train_apart([*examples, *extra], heldout)
    else:
        artifact = await asyncio.to_thread(
            train, [*examples, *extra], heldout=heldout, progress=progress
        )
    current = await active_artifact(db)
    current_metrics: ModelMetrics | None = None
    if current is not None:  # re-measured on the same held-out rows, so comparable
        current_metrics = await asyncio.to_thread(assess, current[1].model, heldout)
    verdict = compare(artifact.metadata.metrics, current_metrics)
    source = "shipped+corrections" if extra else "shipped"
    stored = await store(db, artifact, source, activate=verdict.promote, verdict=verdict.reason)
    log.info("classifier %s trained: %s", stored.version, verdict.reason)
    return TrainingReport(stored, verdict, len(extra))


async def _train_apart(
    examples: Sequence[Example], heldout: Sequence[Example]
) -> ClassifierArtifact:
    """Train in a child process: a serving process that trained its first model in place
    kept scikit-learn and SciPy loaded for good (+90 MB of RSS), and training in a thread
    competed with routing for the interpreter."""
    context = multiprocessing.get_context("spawn")  # no copy of this process's state
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        job = functools.partial(train_serialized, list(examples), list(heldout))
        payload, sha256 = await asyncio.get_running_loop().run_in_executor(pool, job)
    return await asyncio.to_thread(load, payload, sha256)


async def ensure_model(db: Database) -> None:
    """Every process needs an active model; the first one to start trains it, the others
    wait for it (a lock row in server_secret, freed after a timeout if its owner died)."""
    deadline = time.monotonic() + BOOTSTRAP_TIMEOUT.total_seconds() + 60
    while await active_version(db) is None:
        if await _take_bootstrap_lock(db):
            try:
                report = await train_candidate(db, include_corrections=False)
                log.info("first classifier trained at start-up: %s", report.model.version)
            finally:
                await _release_bootstrap_lock(db)
            return
        if time.monotonic() > deadline:
            raise RuntimeError("no classifier model appeared; is another process training?")
        await asyncio.sleep(1.0)


async def _take_bootstrap_lock(db: Database) -> bool:
    async with db.session() as session:
        await session.execute(
            delete(ServerSecret).where(
                col(ServerSecret.name) == BOOTSTRAP_LOCK,
                col(ServerSecret.created_at) < utcnow() - BOOTSTRAP_TIMEOUT,
            )
        )
        insert = insert_ignoring_duplicates(db.dialect, ServerSecret.__table__)  # type: ignore[attr-defined]
        result = await session.execute(
            insert.values(name=BOOTSTRAP_LOCK, value="training", created_at=utcnow())
        )
        await session.commit()
        return bool(result.rowcount)  # type: ignore[attr-defined]


async def _release_bootstrap_lock(db: Database) -> None:
    async with db.session() as session:
        await session.execute(delete(ServerSecret).where(col(ServerSecret.name) == BOOTSTRAP_LOCK))
        await session.commit()


# -- corrections ----------------------------------------------------------------------


async def add_correction(
    db: Database, message_id: int, data: CorrectionCreate, viewer: Principal
) -> CorrectionPublic:
    """An advisor who can see the message corrects what was read; it becomes training data."""
    if data.intent is not None and data.intent not in INTENTS:
        raise InvalidRequest(
            f"unknown intent {data.intent!r}; known: {', '.join(INTENTS)}", field="intent"
        )
    if data.emotion is not None and data.emotion not in EMOTIONS:
        raise InvalidRequest(
            f"unknown emotion {data.emotion!r}; known: {', '.join(EMOTIONS)}", field="emotion"
        )
    message = await get_message(db, message_id, viewer)
    if message.direction != "inbound":
        raise InvalidRequest("only customer messages are classified", field="message_id")
    row = LabelCorrection(
        message_id=message_id,
        advisor_id=viewer.id if viewer.kind.value == "staff" else None,
        **data.model_dump(),
    )
    async with db.session() as session:
        session.add(row)
        await session.commit()
    return CorrectionPublic.model_validate(row, from_attributes=True)


async def correction_examples(db: Database) -> list[Example]:
    """Corrections as full training rows: what the advisor did not correct is taken from
    what the classifier read (latest correction per message wins; erased messages skipped)."""
    async with db.read_session() as session:
        rows = (
            await session.execute(
                select(LabelCorrection, Message.text, Message.classification)
                .join(Message, col(Message.id) == col(LabelCorrection.message_id))
                .order_by(col(LabelCorrection.id))
            )
        ).all()
    latest: dict[int, Example] = {}
    for correction, text, read in rows:
        read = read or {}
        if text == "[erased]" or not text.strip():
            continue
        emotion = correction.emotion or read.get("emotion") or "neutral"
        latest[correction.message_id] = Example(
            text=text,
            intent=correction.intent or read.get("intent") or "other",
            emotion=emotion,
            intensity=_intensity(correction, read, emotion),
            lang=read.get("language") or "und",
        )
    return [e for e in latest.values() if e.intent in INTENTS]


def _intensity(correction: LabelCorrection, read: dict[str, object], emotion: str) -> float:
    if correction.emotion_intensity is not None:
        return correction.emotion_intensity
    value = read.get("emotion_intensity")
    if correction.emotion is None and isinstance(value, int | float):
        return float(value)
    return 0.1 if emotion == "neutral" else 0.6


# -- the process's loaded model -------------------------------------------------------


class ModelHolder:
    """This process's active classifier; a promotion or rollback elsewhere is picked up
    within ``refresh_seconds``."""

    def __init__(self, db: Database, refresh_seconds: float = 30.0) -> None:
        self.db = db
        self.refresh_seconds = refresh_seconds
        self.classifier: Classifier | None = None
        self._checked = 0.0

    async def start(self) -> None:
        await ensure_model(self.db)
        await self.refresh()

    async def refresh(self) -> None:
        self._checked = time.monotonic()
        version = await active_version(self.db)
        if version is None or (self.classifier and self.classifier.version == version):
            return
        loaded = await active_artifact(self.db)
        if loaded is not None:
            self.classifier = Classifier.from_artifact(loaded[1])
            log.info("classifier %s loaded", self.classifier.version)

    async def classify_many(self, texts: Sequence[str]) -> list[dict[str, object]]:
        """Off the event loop; ``[]`` when no model is loaded (routing then uses hints)."""
        if time.monotonic() - self._checked > self.refresh_seconds:
            await self.refresh()
        classifier = self.classifier
        if classifier is None or not texts:
            return []
        started = time.perf_counter()
        results = await asyncio.to_thread(classifier.classify_many, list(texts))
        data = [classification_data(r, classifier.version) for r in results]
        metrics.classified(time.perf_counter() - started, data)
        return data
