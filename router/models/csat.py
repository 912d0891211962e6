"""Satisfaction surveys sent after a resolution, and the customers' answers."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic import Field as PydanticField
from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from router.models.validation import storable_text
from router.store.types import UTCDateTime, utcnow

# The table: one survey per resolution; the answer (score 1-5, comment) lands on it.
# Linked to the advisor who resolved and their team for team figures.
#: The longest comment a customer may leave on a survey.
MAX_COMMENT = 2000


class CsatSurvey(SQLModel, table=True):
    __tablename__ = "csat_survey"
    __table_args__ = (
        Index("ix_csat_team_answered", "team_id", "answered_at"),
        Index("ix_csat_conversation", "conversation_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", ondelete="CASCADE")
    advisor_id: int | None = Field(default=None, foreign_key="advisor.id", ondelete="SET NULL")
    team_id: int | None = Field(default=None, foreign_key="team.id", ondelete="SET NULL")
    channel: str = Field(max_length=20)
    language: str = Field(max_length=8)
    token_hash: str = Field(max_length=64, unique=True)
    message_id: int | None = Field(default=None, foreign_key="message.id", ondelete="SET NULL")
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    score: int | None = Field(default=None)
    comment: str | None = Field(default=None, max_length=2000)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# Body of POST /v1/csat/{token} (JSON, or the answer page's form).
class CsatAnswer(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"score": 5, "comment": "Rapide et efficace, merci !"}]}
    )
    score: int = PydanticField(
        ge=1, le=5, description="1 (very dissatisfied) to 5 (very satisfied)"
    )
    comment: str | None = PydanticField(
        default=None,
        max_length=MAX_COMMENT,
        description="free text from the customer, shown to supervisors; null: none",
    )

    @field_validator("comment")
    @classmethod
    def _comment(cls, value: str | None) -> str | None:
        value = storable_text(value)
        if value is None:
            return None
        return value.strip() or None


# Returned by GET /v1/csat/{token} (JSON) and POST /v1/csat/{token}.
class CsatQuestion(BaseModel):
    language: str = PydanticField(
        description="language of the question (the conversation's), ISO 639-1"
    )
    question: str = PydanticField(description="the question to show the customer")
    scale: dict[int, str] = PydanticField(description="score -> its label")
    answered: bool = PydanticField(description="true once answered (a survey is answered once)")
    score: int | None = PydanticField(
        default=None,
        description="the score given, 1 (very dissatisfied) .. 5 (very satisfied); null until "
        "answered",
    )
    expires_at: datetime = PydanticField(
        description="after this (UTC) the survey no longer accepts an answer"
    )


# Per team (null: surveys of advisors without a team) in GET /v1/reports/csat.
class CsatFigures(BaseModel):
    team_id: int | None = PydanticField(
        default=None, description="the team; null: conversations of no team"
    )
    sent: int = PydanticField(description="surveys sent in the period")
    answered: int = PydanticField(description="of which answered")
    average: float | None = PydanticField(description="mean score; null when none answered")
    distribution: dict[int, int] = PydanticField(description="score 1..5 -> answers")
    response_rate: float | None = PydanticField(description="answered / sent; null when none")


# Returned by GET /v1/reports/csat: surveys sent in [since, until).
class CsatReport(CsatFigures):
    since: datetime = PydanticField(description="start of the period (UTC, included)")
    until: datetime = PydanticField(description="end of the period (UTC, excluded)")
    teams: list[CsatFigures] = PydanticField(description="one row per team")
