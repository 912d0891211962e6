"""Classifier versions (the weights live in the database, so every process loads the same
active model) and the corrections advisors make to what it read."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import Column, Index, LargeBinary, text
from sqlmodel import Field, SQLModel

from router.models.validation import RequestBody
from router.store.types import JSONType, UTCDateTime, empty_dict, utcnow


# The table: one trained model; ``sha256`` is checked before the payload is decoded.
class ClassifierModel(SQLModel, table=True):
    __tablename__ = "classifier_model"
    __table_args__ = (
        Index(
            "uq_classifier_model_active",
            "active",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    version: str = Field(max_length=80, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    source: str = Field(max_length=40)  # shipped | shipped+corrections
    data_sha256: str = Field(max_length=64)
    sklearn_version: str = Field(max_length=40)
    sha256: str = Field(max_length=64)
    payload: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    metrics: dict[str, Any] = Field(default_factory=empty_dict, sa_type=JSONType)
    verdict: str | None = Field(default=None, max_length=2000)
    active: bool = Field(default=False)
    promoted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# The table: an advisor's correction of a message's intent and/or emotion.
class LabelCorrection(SQLModel, table=True):
    __tablename__ = "label_correction"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True, ondelete="CASCADE")
    advisor_id: int | None = Field(default=None, foreign_key="advisor.id", ondelete="SET NULL")
    intent: str | None = Field(default=None, max_length=60)
    emotion: str | None = Field(default=None, max_length=20)
    emotion_intensity: float | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# Returned by GET /v1/classifier/models (never the weights).
class ClassifierModelPublic(BaseModel):
    version: str
    created_at: datetime
    source: str
    data_sha256: str
    sklearn_version: str
    sha256: str
    metrics: dict[str, Any]
    verdict: str | None
    active: bool
    promoted_at: datetime | None


# Body of POST /v1/messages/{id}/corrections.
class CorrectionCreate(RequestBody):
    intent: str | None = PydanticField(default=None, description="one of the classifier's intents")
    emotion: str | None = PydanticField(default=None, description="one of its emotions")
    emotion_intensity: float | None = PydanticField(default=None, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _something(self) -> "CorrectionCreate":
        if self.intent is None and self.emotion is None:
            raise ValueError("give the corrected intent, emotion, or both")
        if self.emotion_intensity is not None and self.emotion is None:
            raise ValueError("emotion_intensity needs the emotion it measures")
        return self


# Returned by POST /v1/messages/{id}/corrections.
class CorrectionPublic(BaseModel):
    id: int
    message_id: int
    advisor_id: int | None
    intent: str | None
    emotion: str | None
    emotion_intensity: float | None
    created_at: datetime


# Body of POST /v1/classify.
class ClassifyRequest(RequestBody):
    text: str = PydanticField(max_length=200_000)


class Alternative(BaseModel):
    intent: str
    confidence: float


# Returned by POST /v1/classify and stored on each inbound message.
class ClassificationPublic(BaseModel):
    model_version: str
    language: str | None
    intent: str
    intent_confidence: float
    alternatives: list[Alternative] = PydanticField(description="the likeliest intents, best first")
    emotion: str
    emotion_intensity: float
    reasons: list[str]
