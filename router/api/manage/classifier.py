"""The classifier: try it on a text, manage its versions, correct what it read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import Field

from router.api.deps import DB, RuntimeDep
from router.api.guard import Admin, Staff
from router.errors import StoreUnavailable
from router.models.classifier import (
    ClassificationPublic,
    ClassifierModelPublic,
    ClassifyRequest,
    CorrectionCreate,
    CorrectionPublic,
)
from router.models.validation import IdPath
from router.pipeline import classifier

router = APIRouter(prefix="/v1", tags=["classifier"])
Version = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.:+-]+$")]


@router.post(
    "/classify",
    response_model=ClassificationPublic,
    summary="What the active model reads in a text (language, intent, emotion); nothing stored",
)
async def classify(payload: ClassifyRequest, rt: RuntimeDep, _staff: Staff) -> ClassificationPublic:
    results = await rt.classifier.classify_many([payload.text])
    if not results:
        raise StoreUnavailable("no classifier model is loaded yet")
    return ClassificationPublic.model_validate(results[0])


@router.get(
    "/classifier/models",
    response_model=list[ClassifierModelPublic],
    summary="Trained classifier versions, newest first, with their held-out figures",
)
async def list_models(db: DB, _admin: Admin) -> list[ClassifierModelPublic]:
    return await classifier.list_models(db)


@router.post(
    "/classifier/models/{version}/promote",
    response_model=ClassifierModelPublic,
    summary="Make a version the active one (every process loads it within 30 s)",
)
async def promote(db: DB, _admin: Admin, version: Version) -> ClassifierModelPublic:
    return await classifier.promote(db, version)


@router.post(
    "/classifier/rollback",
    response_model=ClassifierModelPublic,
    summary="Re-activate the version that was active before the current one",
)
async def rollback(db: DB, _admin: Admin) -> ClassifierModelPublic:
    return await classifier.rollback(db)


@router.post(
    "/messages/{message_id}/corrections",
    status_code=201,
    response_model=CorrectionPublic,
    summary="Correct the intent and/or emotion read in a customer message (training data)",
)
async def correct(
    payload: CorrectionCreate, db: DB, viewer: Staff, message_id: IdPath
) -> CorrectionPublic:
    return await classifier.add_correction(db, message_id, payload, viewer)
