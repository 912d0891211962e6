"""Raw email over HTTP, for MTA pipes and inbound-parse services."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request

from router.api.deps import RuntimeDep
from router.api.guard import allow
from router.intake import email as email_intake
from router.intake.channel import IntakeSummary
from router.models.advisors import Role
from router.models.security import Scope
from router.security.principal import Principal

router = APIRouter(prefix="/v1/email", tags=["email"])
# Documented as octet-stream (what generic clients send); message/rfc822 works the same.
EXAMPLE_MESSAGE = (
    "From: Camille Martin <camille.martin@example.com>\r\n"
    "To: support@example.com\r\n"
    "Subject: Commande FR-2024-00123\r\n"
    "Date: Sat, 14 Mar 2026 09:30:00 +0100\r\n"
    "Message-ID: <48213.camille@example.com>\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Bonjour, ma commande n'est toujours pas arrivée. Pouvez-vous vérifier ?\r\n"
)
RAW_BODY = {
    "requestBody": {
        "required": True,
        "description": "the raw RFC 5322 message, any content type (message/rfc822 is usual)",
        "content": {
            "application/octet-stream": {
                "schema": {"type": "string", "format": "binary"},
                "example": EXAMPLE_MESSAGE,
            }
        },
    }
}


@router.post(
    "/inbound",
    status_code=202,
    response_model=IntakeSummary,
    openapi_extra=RAW_BODY,
    summary="Submit a raw RFC 5322 message (any content type; idempotent on its Message-ID)",
)
async def post_raw_email(
    request: Request,
    rt: RuntimeDep,
    caller: Annotated[Principal, allow(Role.admin, Scope.messages_write)],
) -> IntakeSummary:
    return await email_intake.accept_posted(
        rt.db,
        rt.intake,
        rt.channels.email,
        rt.original_policy,
        await request.body(),
        caller,
    )
