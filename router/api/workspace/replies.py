"""Advisors' replies: stored first, then sent by the outbound worker."""

from __future__ import annotations

from fastapi import APIRouter

from router.api.deps import DB, BrokerDep, RuntimeDep
from router.api.guard import Staff
from router.models.conversations import MessagePublic
from router.models.validation import IdPath
from router.replies import reply as replies
from router.replies.schemas import ReplyCreate

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])


@router.post(
    "/{conversation_id}/replies",
    status_code=202,
    response_model=MessagePublic,
    summary="Reply to the customer (queued, then sent on the channel they last used)",
)
async def post_reply(
    payload: ReplyCreate,
    db: DB,
    broker: BrokerDep,
    rt: RuntimeDep,
    author: Staff,
    conversation_id: IdPath,
) -> MessagePublic:
    message = await replies.queue_reply(db, broker, rt.channels, conversation_id, author, payload)
    return MessagePublic.of(message)
