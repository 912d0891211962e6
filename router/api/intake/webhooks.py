"""Provider webhooks: Meta (Messenger, Instagram, WhatsApp) and X, public.

Each provider proves itself by signing the body; the adapters check it before anything is
read. A channel without its secret configured answers 404 ``channel_not_configured``.
Signed deliveries are never throttled (Meta posts a busy page's traffic from a few
addresses); requests that fail the signature check spend the per-address public budget.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from channels.adapter import WebhookRequest
from router.api.deps import RuntimeDep
from router.api.guard import PUBLIC_ROUTE, THROTTLED_PUBLIC_ROUTE, client_address
from router.errors import DomainError
from router.intake import webhooks
from router.intake.channel import IntakeSummary

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
    dependencies=PUBLIC_ROUTE,
    response_model=IntakeSummary,
    summary="Meta events (X-Hub-Signature-256 required): messages, postbacks, receipts",
)
async def meta_events(request: Request, rt: RuntimeDep) -> IntakeSummary:
    return await _receive(rt, "meta", request)


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
    dependencies=PUBLIC_ROUTE,
    response_model=IntakeSummary,
    summary="X Account Activity events (x-twitter-webhooks-signature required)",
)
async def x_events(request: Request, rt: RuntimeDep) -> IntakeSummary:
    return await _receive(rt, "x", request)


async def _receive(rt: RuntimeDep, provider: str, request: Request) -> IntakeSummary:
    try:
        return await webhooks.receive(
            rt.db, rt.intake, rt.channels, provider, await _webhook_request(request)
        )
    except DomainError as error:
        if error.status_code in (401, 403):
            await rt.public_limiter.take(
                f"ip:{client_address(request)}", "unsigned webhook requests"
            )
        raise
