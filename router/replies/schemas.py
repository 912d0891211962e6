"""What an advisor sends: the body of POST /v1/conversations/{id}/replies."""

from pydantic import ConfigDict, field_validator, model_validator
from pydantic import Field as PydanticField

from router.models.channels import Channel
from router.models.validation import MAX_ID, RequestBody, storable_text


# Body of POST /v1/conversations/{id}/replies: ``text``, or ``template_id``, or both.
class ReplyCreate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "text": (
                        "Bonjour Camille, votre colis a été remis "
                        "au transporteur ce matin. Bonne journée !"
                    ),
                    "idempotency_key": "reply-48213-1",
                },
                {"template_id": 3, "channel": "email"},
            ]
        }
    )
    text: str | None = PydanticField(
        default=None,
        min_length=1,
        max_length=20_000,
        description="what is sent; optional with template_id (then the server renders the "
        "template), and when both are given this text (the advisor's edited version) is sent",
    )
    template_id: int | None = PydanticField(
        default=None,
        ge=1,
        le=MAX_ID,
        description="a reply template (active): rendered for this conversation's channel and "
        "language when no text is given (a placeholder that cannot be filled is a 422 naming "
        "it); recorded in the message's metadata.template_id either way",
    )
    channel: Channel | None = PydanticField(
        default=None, description="default: the channel the customer last wrote on"
    )
    subject: str | None = PydanticField(
        default=None, max_length=998, description="email only, for a reply that starts a thread"
    )
    to_message_id: int | None = PydanticField(
        default=None,
        ge=1,
        le=MAX_ID,
        description="answer this inbound message of the conversation (e.g. a participant's, "
        "flagged in its metadata.participant): the reply goes to its sender on its channel, "
        "threaded on it. Default: the customer's own last message, never a participant's",
    )
    idempotency_key: str | None = PydanticField(
        default=None,
        pattern=r"^[A-Za-z0-9._:-]{1,80}$",
        description="the same key twice queues one reply (a double click, a retried request)",
    )

    _text = field_validator("text", "subject")(storable_text)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("a reply needs some text")
        return value

    @model_validator(mode="after")
    def _text_or_template(self) -> "ReplyCreate":
        if self.text is None and self.template_id is None:
            raise ValueError("a reply needs a text or a template_id")
        return self
