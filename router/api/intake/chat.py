"""The website chat widget: a visitor session, messages in, the visitor's feed out.

REST for sending and polling, a WebSocket for live replies. Every route is public and
throttled per client address; the visitor proves who they are with the session token
(``Authorization: Bearer <token>``, or ``?token=`` on the WebSocket, which browsers cannot
give headers). Pages of other sites may call them when their origin is listed in
``AIGUILLAGE_WEBCHAT_ALLOWED_ORIGINS`` (router.api.origins).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response, WebSocket

from channels.adapter import WebhookRequest
from channels.webchat.upload import Upload
from router.api import origins
from router.api.deps import AfterId, RuntimeDep
from router.api.guard import THROTTLED_PUBLIC_ROUTE
from router.api.intake.originals import BINARY, file_response
from router.errors import DomainError
from router.intake import chat_files, webchat
from router.intake.channel import IntakeSummary
from router.intake.chat_hub import ChatSocket
from router.models.queues import VisitorStanding
from router.models.validation import IdPath
from router.runtime import Runtime

router = APIRouter(prefix="/v1/chat", tags=["web chat"])
Authorization = Annotated[str | None, Header(description="Bearer <visitor token>")]
# WebSocket close codes (4000-4999 are the application's own).
CLOSE_REFUSED = 4401
CLOSE_FOREIGN_ORIGIN = 4403
CLOSE_THROTTLED = 4429


@router.post(
    "/sessions",
    response_model=webchat.ChatSession,
    dependencies=THROTTLED_PUBLIC_ROUTE,
    summary="Start a chat session (send a still-valid token to keep the same visitor)",
)
async def start_session(rt: RuntimeDep, authorization: Authorization = None) -> webchat.ChatSession:
    return webchat.start_session(rt.channels.chat, authorization)


@router.post(
    "/messages",
    status_code=202,
    response_model=IntakeSummary,
    dependencies=THROTTLED_PUBLIC_ROUTE,
    summary="A visitor's message (idempotent on the widget's message id)",
)
async def post_message(request: Request, rt: RuntimeDep) -> IntakeSummary:
    body = WebhookRequest.of(await request.body(), dict(request.headers))
    return await webchat.post_message(rt.db, rt.intake, rt.channels.chat, body, rt.chat_hub.notify)


@router.post(
    "/files",
    status_code=202,
    response_model=IntakeSummary,
    dependencies=THROTTLED_PUBLIC_ROUTE,
    summary="A file the visitor sends: the body is the file, its type in Content-Type",
    description="Images (PNG, JPEG, GIF, WebP), PDF and plain text, up to "
    "`AIGUILLAGE_WEBCHAT_UPLOAD_MAX_BYTES` (5 MiB by default): 422 naming the type otherwise, "
    "413 when too large. Idempotent on `id`, like a message.",
)
async def post_file(
    request: Request,
    rt: RuntimeDep,
    id: Annotated[
        str, Query(pattern=r"^[A-Za-z0-9._:-]{1,100}$", description="unique per visitor")
    ],
    filename: Annotated[str, Query(min_length=1, max_length=255)],
    name: Annotated[str | None, Query(max_length=200, description="the visitor's name")] = None,
    content_type: Annotated[str, Header()] = "",
) -> IntakeSummary:
    upload = Upload(message_id=id, filename=filename, content_type=content_type, name=name)
    body = WebhookRequest.of(await request.body(), dict(request.headers))
    return await webchat.post_file(
        rt.db, rt.intake, rt.channels.chat, body, upload, rt.chat_hub.notify
    )


@router.get(
    "/messages/{message_id}/files/{position}",
    response_class=Response,
    responses=BINARY,
    dependencies=THROTTLED_PUBLIC_ROUTE,
    summary="Download a file of the visitor's chat: their own upload or an advisor's",
    description="The address is the `url` of a file in the chat's messages. Only the "
    "visitor of that chat (their token) gets it: 404 for any other message.",
)
async def get_file(
    rt: RuntimeDep,
    message_id: IdPath,
    position: Annotated[int, Path(ge=0, le=100, description="the file's place in the message")],
    authorization: Authorization = None,
) -> Response:
    row = await chat_files.visitor_file(
        rt.db, rt.channels.chat, authorization, message_id, position
    )
    return file_response(row)


@router.get(
    "/queue",
    response_model=VisitorStanding | None,
    dependencies=THROTTLED_PUBLIC_ROUTE,
    summary="The visitor's place in the queue and the wait to expect (null once served)",
)
async def get_queue(rt: RuntimeDep, authorization: Authorization = None) -> VisitorStanding | None:
    return await webchat.visitor_standing(rt.db, rt.channels.chat, authorization)


@router.get(
    "/messages",
    response_model=webchat.ChatFeed,
    dependencies=THROTTLED_PUBLIC_ROUTE,
    summary="The visitor's messages after `after` (resume point), advisors' replies included",
)
async def get_messages(
    rt: RuntimeDep, authorization: Authorization = None, after: AfterId = 0
) -> webchat.ChatFeed:
    return await webchat.visitor_feed(rt.db, rt.channels.chat, authorization, after)


@router.websocket("/ws")
async def chat_socket(
    websocket: WebSocket,
    token: Annotated[str, Query(max_length=2000)] = "",
    after: Annotated[int, Query(ge=0)] = 0,
) -> None:
    """Live chat: replies pushed as they are sent; reconnect with ``?after=<last seq>``."""
    rt: Runtime = websocket.app.state.runtime
    try:
        client = websocket.client.host if websocket.client else "unknown"
        await rt.public_limiter.take(f"ip:{client}", "requests from this address")
        visitor_id = webchat.visitor_of(rt.channels.chat, f"Bearer {token}")
    except DomainError as error:
        code = CLOSE_THROTTLED if error.status_code == 429 else CLOSE_REFUSED
        await websocket.close(code=code, reason=error.detail[:120])
        return
    if not origins.socket_allowed(websocket.headers, rt.settings):
        await websocket.close(code=CLOSE_FOREIGN_ORIGIN, reason="origin not allowed")
        return

    async def on_message(frame: dict[str, object]) -> dict[str, object]:
        await rt.public_limiter.take(f"ip:{client}", "messages from this address")
        return await webchat.socket_message(rt.db, rt.intake, rt.channels.chat, token, frame)

    await websocket.accept()
    await ChatSocket(rt.chat_hub, websocket, visitor_id, on_message).run(after)
