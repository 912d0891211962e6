"""Advisors' replies: stored first, then sent by the outbound worker."""

from __future__ import annotations

from fastapi import APIRouter

from router.api.deps import DB, BrokerDep, RuntimeDep
from router.api.guard import Staff
from router.models.conversations import MessagePublic
from router.models.validation import IdPath
from router.replies import files
from router.replies import reply as replies
from router.replies.schemas import ReplyCreate

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])


@router.post(
    "/{conversation_id}/replies",
    status_code=202,
    response_model=MessagePublic,
    summary="Reply to the customer (queued, then sent on the channel they last used)",
    description="Files go in `attachments`, base64-encoded: by e-mail as MIME attachments, "
    "in the web chat as downloads for the visitor, on WhatsApp and Messenger through the "
    "provider's media upload. A type not accepted or a channel that carries no files is a "
    "422, a file over the limit a 413.",
)
async def post_reply(
    payload: ReplyCreate,
    db: DB,
    broker: BrokerDep,
    rt: RuntimeDep,
    author: Staff,
    conversation_id: IdPath,
) -> MessagePublic:
    attached = files.attached(payload, rt.settings)
    message = await replies.queue_reply(
        db, broker, rt.channels, conversation_id, author, payload, attached
    )
    return MessagePublic.of(message)
