"""What an advisor sends: the body of POST /v1/conversations/{id}/replies."""

import base64
import binascii
from typing import Annotated

from pydantic import BeforeValidator, ConfigDict, WithJsonSchema, field_validator, model_validator
from pydantic import Field as PydanticField

from router.models.channels import Channel
from router.models.validation import MAX_ID, RequestBody, storable_text


def _from_base64(value: object) -> bytes:
    """Strict base64 (the standard alphabet, padded): garbage is a 422, never empty bytes."""
    if not isinstance(value, str):
        raise ValueError("must be a base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error:
        raise ValueError("is not valid base64 (standard alphabet, padded)") from None


Base64File = Annotated[
    bytes,
    BeforeValidator(_from_base64),
    WithJsonSchema({"type": "string", "contentEncoding": "base64"}),
]


# A file of a reply, its bytes base64-encoded in the JSON body (as e-mail APIs take them).
class ReplyAttachment(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "filename": "etiquette-retour.pdf",
                    "content_type": "application/pdf",
                    "content": "JVBERi0xLjQKJcTl8uXrCg==",
                }
            ]
        }
    )
    filename: str = PydanticField(
        min_length=1,
        max_length=255,
        description="the name the customer sees (path separators are replaced)",
    )
    content_type: str = PydanticField(
        min_length=3,
        max_length=255,
        description="MIME type: PNG, JPEG, GIF or WebP images, PDF, plain text, CSV, Word "
        "(.docx), Excel (.xlsx) or OpenDocument text; any other type is a 422 naming it",
    )
    content: Base64File = PydanticField(
        description="the file's bytes, base64-encoded; each file at most "
        "AIGUILLAGE_REPLY_FILE_MAX_BYTES once decoded (5 MiB by default: 413 above)"
    )

    _text = field_validator("filename", "content_type")(storable_text)


# Body of POST /v1/conversations/{id}/replies: ``text``, ``template_id`` or files (or several).
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
                {
                    "text": "Voici votre étiquette de retour.",
                    "attachments": [
                        {
                            "filename": "etiquette-retour.pdf",
                            "content_type": "application/pdf",
                            "content": "JVBERi0xLjQKJcTl8uXrCg==",
                        }
                    ],
                    "idempotency_key": "reply-48213-2",
                },
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
    attachments: list[ReplyAttachment] = PydanticField(
        default_factory=list,
        max_length=20,
        description="files sent with the reply, on channels that carry them (email, chat, "
        "whatsapp, messenger; 422 on the others), at most AIGUILLAGE_REPLY_MAX_FILES (5 by "
        "default); kept with the message and listed by GET /v1/messages/{id}/attachments",
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
        if self.text is None and self.template_id is None and not self.attachments:
            raise ValueError("a reply needs a text, a template_id or attachments")
        return self
