"""Classifier versions (the weights live in the database, so every process loads the same
active model) and the corrections advisors make to what it read."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
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
    version: str = PydanticField(description="model version (also the promote path parameter)")
    created_at: datetime = PydanticField(description="when it was trained (UTC)")
    source: str = PydanticField(
        description="what it was trained on: shipped (the bundled data set) or "
        "shipped+corrections (plus advisors' label corrections)"
    )
    data_sha256: str = PydanticField(
        description="SHA-256 of the training data, to tell data sets apart"
    )
    sklearn_version: str = PydanticField(
        description="scikit-learn version it was trained with (it loads only with that version)"
    )
    sha256: str = PydanticField(description="SHA-256 of the stored model, checked when loaded")
    metrics: dict[str, Any] = PydanticField(
        description="evaluation figures on held-out data (accuracy, macro F1 per head...)"
    )
    verdict: str | None = PydanticField(
        description="why it was or was not promoted when trained (its comparison with the active "
        "model); null when not recorded"
    )
    active: bool = PydanticField(
        description="true for the model classifying incoming messages (only one)"
    )
    promoted_at: datetime | None = PydanticField(
        description="when it was last made active (UTC); null: never"
    )


# Body of POST /v1/messages/{id}/corrections.
class CorrectionCreate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"intent": "order_delivery", "emotion": "anger", "emotion_intensity": 0.8}]
        }
    )
    intent: str | None = PydanticField(default=None, description="one of the classifier's intents")
    emotion: str | None = PydanticField(default=None, description="one of its emotions")
    emotion_intensity: float | None = PydanticField(
        default=None,
        ge=0.0,
        le=1.0,
        description="corrected emotion strength, 0 (none) .. 1 (very strong); null: not corrected",
    )

    @model_validator(mode="after")
    def _something(self) -> "CorrectionCreate":
        if self.intent is None and self.emotion is None:
            raise ValueError("give the corrected intent, emotion, or both")
        if self.emotion_intensity is not None and self.emotion is None:
            raise ValueError("emotion_intensity needs the emotion it measures")
        return self


# Returned by POST /v1/messages/{id}/corrections.
class CorrectionPublic(BaseModel):
    id: int = PydanticField(description="correction id")
    message_id: int = PydanticField(description="the message corrected")
    advisor_id: int | None = PydanticField(
        description="the advisor who corrected it; null once deleted"
    )
    intent: str | None = PydanticField(description="corrected intent; null: not corrected")
    emotion: str | None = PydanticField(description="corrected emotion; null: not corrected")
    emotion_intensity: float | None = PydanticField(
        description="corrected emotion strength, 0..1; null: not corrected"
    )
    created_at: datetime = PydanticField(description="when it was recorded (UTC)")


# Body of POST /v1/classify.
class ClassifyRequest(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "text": (
                        "My parcel was supposed to arrive on Monday and "
                        "I still have nothing. This is the third time!"
                    )
                }
            ]
        }
    )
    text: str = PydanticField(
        max_length=200_000,
        description="the text to classify (as a customer would write it), up to 200,000 characters",
    )


class Alternative(BaseModel):
    intent: str = PydanticField(description="another intent the classifier considered")
    confidence: float = PydanticField(description="its confidence, 0..1")


# Returned by POST /v1/classify and stored on each inbound message.
class ClassificationPublic(BaseModel):
    model_version: str = PydanticField(description="version of the classifier that read it")
    language: str | None = PydanticField(
        description="detected language, ISO 639-1 (e.g. fr, en); null when unsure"
    )
    intent: str = PydanticField(
        description="what the customer wants (e.g. delivery, refund, cancellation, other)"
    )
    intent_confidence: float = PydanticField(description="confidence in the intent, 0..1")
    alternatives: list[Alternative] = PydanticField(description="the likeliest intents, best first")
    emotion: str = PydanticField(
        description="the emotion read (e.g. neutral, anger, frustration, satisfaction)"
    )
    emotion_intensity: float = PydanticField(
        description="its strength, 0 (none) .. 1 (very strong)"
    )
    reasons: list[str] = PydanticField(description="words or rules that weighed most, for humans")
