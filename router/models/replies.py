"""What an advisor sends: the body of POST /v1/conversations/{id}/replies."""

from pydantic import BaseModel, field_validator
from pydantic import Field as PydanticField

from router.models.channels import Channel
from router.models.validation import storable_text


# Body of POST /v1/conversations/{id}/replies.
class ReplyCreate(BaseModel):
    text: str = PydanticField(min_length=1, max_length=20_000)
    channel: Channel | None = PydanticField(
        default=None, description="default: the channel the customer last wrote on"
    )
    subject: str | None = PydanticField(
        default=None, max_length=998, description="email only, for a reply that starts a thread"
    )
    idempotency_key: str | None = PydanticField(
        default=None,
        pattern=r"^[A-Za-z0-9._:-]{1,80}$",
        description="the same key twice queues one reply (a double click, a retried request)",
    )

    _text = field_validator("text", "subject")(storable_text)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a reply needs some text")
        return value
