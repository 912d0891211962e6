"""Reply templates: one per purpose (often an intent), with channel and language variants."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from router.models.template_syntax import variant_problems
from router.models.validation import RequestBody, storable_text
from router.store.types import JSONType, UTCDateTime, empty_list, utcnow

#: Intents are the classifier's labels: lower-case words joined by underscores.
INTENT_PATTERN = r"^[a-z][a-z0-9_]{0,59}$"


class ChannelKind(StrEnum):
    email = "email"
    chat = "chat"
    social = "social"
    any = "any"


class TemplateLanguage(StrEnum):
    en = "en"
    fr = "fr"


# The table. ``variants``: [{"channel_kind": "email"|"chat"|"social"|"any",
# "language": "en"|"fr", "subject": str|None, "body": str}], one per (kind, language).
class ReplyTemplate(SQLModel, table=True):
    __tablename__ = "reply_template"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    intent: str | None = Field(default=None, max_length=60, index=True)
    active: bool = Field(default=True)
    variants: list[dict[str, Any]] = Field(default_factory=empty_list, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# One variant as written by an admin (API input and output).
class TemplateVariant(RequestBody):
    channel_kind: ChannelKind = PydanticField(
        description="email (greeting and signature added), chat (short), social (brief and "
        "public: no personal placeholders, at most 640 characters) or any (the fallback)"
    )
    language: TemplateLanguage = PydanticField(
        description="language of this variant, ISO 639-1 (e.g. fr, en)"
    )
    subject: str | None = PydanticField(
        default=None, min_length=1, max_length=998, description="email and any variants only"
    )
    body: str = PydanticField(
        min_length=1,
        max_length=5000,
        description="text with {{placeholders}}: customer.first_name, customer.name, "
        "advisor.first_name, advisor.name, team.name, conversation.id, conversation.subject, "
        "order_number, tracking_number, invoice_number, contract_number, ticket_number, "
        "amount, date; "
        "chat bodies at most 1000 characters, social at most 640",
    )

    _text = field_validator("subject", "body")(storable_text)

    @field_validator("body")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a variant needs some text")
        return value

    @model_validator(mode="after")
    def _valid(self) -> TemplateVariant:
        problems = variant_problems(self.channel_kind.value, self.subject, self.body)
        if problems:
            raise ValueError(
                f"{self.channel_kind.value}/{self.language.value}: " + "; ".join(problems)
            )
        return self


Variants = Annotated[list[TemplateVariant], PydanticField(min_length=1, max_length=12)]


def _distinct(variants: list[TemplateVariant] | None) -> list[TemplateVariant] | None:
    """One variant per (channel kind, language)."""
    keys = [(v.channel_kind.value, v.language.value) for v in variants or []]
    doubles = sorted({f"{k}/{lang}" for k, lang in keys if keys.count((k, lang)) > 1})
    if doubles:
        raise ValueError(f"one variant per channel kind and language (twice: {', '.join(doubles)})")
    return variants


# Body of POST /v1/templates.
class ReplyTemplateCreate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Delivery: where is my parcel",
                    "intent": "order_delivery",
                    "active": True,
                    "variants": [
                        {
                            "channel_kind": "email",
                            "language": "en",
                            "subject": "Your order {{order_number}}",
                            "body": (
                                "Your order {{order_number}} has "
                                "shipped: tracking number {{tracking_number}}."
                            ),
                        },
                        {
                            "channel_kind": "chat",
                            "language": "fr",
                            "body": (
                                "Votre commande {{order_number}} est "
                                "expédiée : suivi {{tracking_number}}."
                            ),
                        },
                    ],
                }
            ]
        }
    )
    name: str = PydanticField(
        min_length=1,
        max_length=120,
        description="template name, shown to advisors (1..120 characters)",
    )
    intent: str | None = PydanticField(
        default=None, pattern=INTENT_PATTERN, description="the classifier intent it answers"
    )
    active: bool = PydanticField(default=True, description="false: kept but not suggested")
    variants: Variants = PydanticField(
        description="the text per channel kind and language; at most one per pair"
    )

    _name = field_validator("name")(storable_text)
    _variants = field_validator("variants")(_distinct)

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a template needs a name")
        return value.strip()


# Body of PATCH /v1/templates/{id}: the fields given replace the stored ones (variants whole).
class ReplyTemplateUpdate(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"active": False}]})
    name: str | None = PydanticField(
        default=None, min_length=1, max_length=120, description="new name; absent: unchanged"
    )
    intent: str | None = PydanticField(
        default=None, pattern=INTENT_PATTERN, description="null: answers no intent in particular"
    )
    active: bool | None = PydanticField(default=None, description="absent: unchanged")
    variants: Variants | None = PydanticField(
        default=None, description="replaces all variants; absent: unchanged"
    )

    _name = field_validator("name")(storable_text)
    _variants = field_validator("variants")(_distinct)

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("a template needs a name")
        return value.strip() if value else value


# A template as the API returns it.
class ReplyTemplatePublic(BaseModel):
    id: int = PydanticField(description="template id")
    name: str = PydanticField(description="template name")
    intent: str | None = PydanticField(description="the intent it answers; null: any")
    active: bool = PydanticField(description="false: not suggested")
    variants: list[dict[str, Any]] = PydanticField(
        description="the text per channel kind and language"
    )
    created_at: datetime = PydanticField(description="when it was created (UTC)")
    updated_at: datetime = PydanticField(description="last change (UTC)")


# A template rendered for a conversation, ranked for its latest customer message.
class TemplateSuggestion(BaseModel):
    template_id: int = PydanticField(description="the template suggested")
    name: str = PydanticField(description="its name")
    intent: str | None = PydanticField(description="the intent it answers; null: any")
    score: float = PydanticField(description="1 for the same intent, plus the similarity (0..1)")
    similarity: float = PydanticField(
        description="how close its text is to the customer's message, 0..1"
    )
    reasons: list[str] = PydanticField(description='"same intent", "similar wording"')
    channel_kind: str = PydanticField(description="the conversation channel's kind")
    language: str = PydanticField(description="the language of the variant used")
    variant_kind: str = PydanticField(description="the channel kind of the variant used")
    fallback: bool = PydanticField(description="no variant for this exact kind and language")
    subject: str | None = PydanticField(description="the rendered subject (e-mail); null otherwise")
    text: str = PydanticField(description="rendered; unfilled placeholders are left as written")
    missing: list[str] = PydanticField(description="placeholders that cannot be filled")
    withheld: list[str] = PydanticField(description="personal placeholders refused on social")
    sendable: bool = PydanticField(
        description="false when a placeholder could not be filled: edit before sending"
    )
