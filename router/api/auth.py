"""Staff login (OAuth2 password flow), token refresh, logout, "who am I", password change."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from pydantic import ConfigDict, Field

from router.admin import advisors
from router.api.deps import DB, RuntimeDep
from router.api.guard import THROTTLED_PUBLIC_ROUTE, Staff, client_address
from router.models.advisors import AdvisorPublic
from router.models.security import LoginForm, RefreshRequest, TokenPair
from router.models.validation import IdPath, RequestBody
from router.security import staff

router = APIRouter(prefix="/v1/auth", tags=["authentication"])


class PasswordChange(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "current_password": "old correct horse battery",
                    "new_password": "a long enough new passphrase",
                }
            ]
        }
    )
    new_password: str = Field(
        min_length=1,
        max_length=256,
        description="the new password, in clear (over TLS); stored only as an Argon2 hash",
    )
    current_password: str | None = Field(
        default=None, max_length=256, description="required when changing your own password"
    )


@router.post(
    "/token",
    response_model=TokenPair,
    dependencies=THROTTLED_PUBLIC_ROUTE,
    summary="Log in with e-mail and password; returns an access and a refresh token",
)
async def login(form: Annotated[LoginForm, Form()], rt: RuntimeDep, request: Request) -> TokenPair:
    return await rt.auth.login(form.username, form.password, client_address(request))


@router.post(
    "/refresh",
    response_model=TokenPair,
    dependencies=THROTTLED_PUBLIC_ROUTE,
    summary="Exchange a refresh token for a new pair (the old refresh token is spent)",
)
async def refresh(payload: RefreshRequest, rt: RuntimeDep) -> TokenPair:
    return await rt.auth.refresh(payload.refresh_token)


@router.post(
    "/logout",
    status_code=204,
    response_class=Response,
    summary="Revoke the current session: its access and refresh tokens stop working at once",
)
async def logout(me: Staff, rt: RuntimeDep) -> Response:
    assert me.session_id is not None
    await rt.auth.logout(me.session_id)
    return Response(status_code=204)


@router.get("/me", response_model=AdvisorPublic, summary="The logged-in staff member")
async def whoami(me: Staff, db: DB) -> AdvisorPublic:
    return await advisors.get_advisor(db, me.id, me)


@router.put(
    "/password/{advisor_id}",
    status_code=204,
    response_class=Response,
    summary="Set a password: your own (with the current one) or, for admins, anyone's",
)
async def set_password(payload: PasswordChange, me: Staff, db: DB, advisor_id: IdPath) -> Response:
    await staff.set_password(
        db,
        advisor_id,
        payload.new_password,
        by=me,
        current_password=payload.current_password,
    )
    return Response(status_code=204)
