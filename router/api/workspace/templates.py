"""Reply templates: admin CRUD, and suggestions rendered for a conversation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from router.api.deps import DB, AfterId, Limit
from router.api.guard import Admin, Staff
from router.models.templates import (
    INTENT_PATTERN,
    ReplyTemplateCreate,
    ReplyTemplatePublic,
    ReplyTemplateUpdate,
    TemplateSuggestion,
)
from router.models.validation import IdPath
from router.replies import template_use, templates

router = APIRouter(prefix="/v1", tags=["templates"])
IntentQuery = Annotated[str | None, Query(pattern=INTENT_PATTERN, max_length=60)]
SuggestionLimit = Annotated[int, Query(ge=1, le=20, description="how many (max 20)")]


@router.get(
    "/templates",
    response_model=list[ReplyTemplatePublic],
    summary="List reply templates (by id), optionally of one intent or activity",
)
async def list_templates(
    db: DB,
    _viewer: Staff,
    intent: IntentQuery = None,
    active: bool | None = None,
    after_id: AfterId = 0,
    limit: Limit = 100,
) -> list[ReplyTemplatePublic]:
    return await templates.list_templates(
        db, intent=intent, active=active, after_id=after_id, limit=limit
    )


@router.post(
    "/templates",
    status_code=201,
    response_model=ReplyTemplatePublic,
    summary="Create a reply template (unknown placeholders, personal data on social... are 422)",
)
async def create_template(
    payload: ReplyTemplateCreate, db: DB, admin: Admin
) -> ReplyTemplatePublic:
    return await templates.create_template(db, payload, admin)


@router.get(
    "/templates/{template_id}", response_model=ReplyTemplatePublic, summary="Read a template"
)
async def get_template(db: DB, _viewer: Staff, template_id: IdPath) -> ReplyTemplatePublic:
    return await templates.get_template(db, template_id)


@router.patch(
    "/templates/{template_id}",
    response_model=ReplyTemplatePublic,
    summary="Change a template (the fields given; variants are replaced whole)",
)
async def update_template(
    payload: ReplyTemplateUpdate, db: DB, admin: Admin, template_id: IdPath
) -> ReplyTemplatePublic:
    return await templates.update_template(db, template_id, payload, admin)


@router.delete(
    "/templates/{template_id}", status_code=204, response_class=Response, summary="Delete"
)
async def delete_template(db: DB, admin: Admin, template_id: IdPath) -> Response:
    await templates.delete_template(db, template_id, admin)
    return Response(status_code=204)


@router.get(
    "/conversations/{conversation_id}/suggestions",
    response_model=list[TemplateSuggestion],
    summary="Reply templates for the customer's latest message, rendered for this conversation",
    description="Active templates, those of the message's intent first, then by wording "
    "similarity; each rendered for the conversation's channel and language, with the "
    "placeholders it cannot fill (`missing`) and the personal ones refused on a public "
    "social reply (`withheld`). 404 for a conversation the caller may not see.",
)
async def suggestions(
    db: DB, viewer: Staff, conversation_id: IdPath, limit: SuggestionLimit = 5
) -> list[TemplateSuggestion]:
    return await template_use.suggestions(db, conversation_id, viewer, limit)
