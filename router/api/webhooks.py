"""Provider webhooks: Meta (Messenger, Instagram, WhatsApp) and X, public and throttled.

Each provider proves itself by signing the body; the adapters check it before anything is
read. A channel without its secret configured answers 404 ``channel_not_configured``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from channels.adapter import WebhookRequest
from router.api.deps import RuntimeDep
from router.api.guard import THROTTLED_PUBLIC_ROUTE
from router.services import webhooks
from router.services.channel_intake import IntakeSummary

router = APIRouter(prefix="/v1/webhooks", tags=["channel webhooks"])
HANDSHAKE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/plain": {}}, "description": "the challenge, echoed"}
}


async def _webhook_request(request: Request) -> WebhookRequest:
    return WebhookRequest.of(
        await request.body(), dict(request.headers), dict(request.query_params)
    )


def _reply(rt: RuntimeDep, provider: str, request: Request) -> Response:
    reply = webhooks.handshake(rt.channels, provider, dict(request.query_params))
    return Response(reply.body, media_type=reply.media_type)


@router.get(
    "/meta",
    dependencies=THROTTLED_PUBLIC_ROUTE,
    response_class=Response,
    responses=HANDSHAKE,
    summary="Meta webhook verification: echo hub.challenge when hub.verify_token matches",
)
async def meta_handshake(request: Request, rt: RuntimeDep) -> Response:
    return _reply(rt, "meta", request)


@router.post(
    "/meta",
    dependencies=THROTTLED_PUBLIC_ROUTE,
    response_model=IntakeSummary,
    summary="Meta events (X-Hub-Signature-256 required): messages, postbacks, receipts",
)
async def meta_events(request: Request, rt: RuntimeDep) -> IntakeSummary:
    return await webhooks.receive(
        rt.db, rt.intake, rt.channels, "meta", await _webhook_request(request)
    )


@router.get(
    "/x",
    dependencies=THROTTLED_PUBLIC_ROUTE,
    response_class=Response,
    responses={200: {"description": '{"response_token": "sha256=..."}'}},
    summary="X CRC check: answer crc_token signed with the consumer secret",
)
async def x_handshake(request: Request, rt: RuntimeDep) -> Response:
    return _reply(rt, "x", request)


@router.post(
    "/x",
    dependencies=THROTTLED_PUBLIC_ROUTE,
    response_model=IntakeSummary,
    summary="X Account Activity events (x-twitter-webhooks-signature required)",
)
async def x_events(request: Request, rt: RuntimeDep) -> IntakeSummary:
    return await webhooks.receive(
        rt.db, rt.intake, rt.channels, "x", await _webhook_request(request)
    )
