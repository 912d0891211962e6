"""Transfer: hand a conversation to a named advisor, or to a skill (with level) or a team.

The note travels with the conversation: it is stored on it (``handover_note``, shown to
whoever opens it next) and in the timeline event; erasing the customer erases it.

- To an advisor: they must be able to take it now (available, handling the channel, with
  capacity, not in cool-down for an intense conversation), else 409 with the reason. It is
  assigned at once, whatever their team's offer mode: a colleague chose them. A refusal
  for care alone (cool-down, the cap on intense conversations) protects the advisor, and
  their supervisor knows best when to lift it: a supervisor or an admin may override it
  with ``override_care``, recorded with who did it in the assignment's explanation and the
  transfer's event. Status and capacity are never overridden.
- To a skill and/or a team: the requirements are replaced (the language requirement kept)
  and the conversation is routed again, away from the advisor who transferred it (kept
  away like after a decline); nobody fitting: it waits (from now). A person set these
  requirements, so the rule's escalation steps no longer rewrite them.

An advisor may transfer only what is assigned (or offered) to them; supervisors what their
teams handle; admins anything. A conversation the caller may not see is a 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field, field_validator, model_validator
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from router.errors import Conflict, Forbidden, InvalidRequest
from router.models import Advisor, Conversation, Skill, Team
from router.models.advisors import Role, SkillName
from router.models.conversations import ConversationPublic, ConversationStatus
from router.models.validation import MAX_ID, RequestBody, storable_text
from router.routing import assignment, care, offers, profiles, queue
from router.routing.context import RoutingContext
from router.security.principal import Principal, PrincipalKind
from router.security.visibility import advisor_clause, hidden
from router.store import Database
from router.tickets import conversations, events, tags
from skills import (
    CARE_EXCLUSIONS,
    AdvisorProfile,
    ExclusionKind,
    Requirements,
    Situation,
    exclusion,
)

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


# Body of POST /v1/conversations/{id}/transfer: an advisor, or a skill and/or a team.
class TransferRequest(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "to_skill": "billing",
                    "level": 3,
                    "note": "Asks for a refund of invoice INV-2291; order already returned.",
                },
                {
                    "to_advisor_id": 12,
                    "note": "You handled her previous claim: she asked for you.",
                    "override_care": False,
                },
            ]
        }
    )
    to_advisor_id: Id | None = Field(
        default=None,
        description="hand over to this advisor; give exactly one of to_advisor_id, to_skill, "
        "to_team_id",
    )
    to_skill: SkillName | None = Field(
        default=None, description="back to the queue, requiring this skill"
    )
    level: int = Field(default=1, ge=1, le=5, description="minimum level of to_skill")
    to_team_id: Id | None = Field(default=None, description="back to the queue, for this team")
    note: str = Field(min_length=1, max_length=2000, description="for the next advisor")
    override_care: bool = Field(
        default=False,
        description="supervisors and admins, with to_advisor_id: assign even though the "
        "advisor is in cool-down or at their cap of intense conversations",
    )

    _note = field_validator("note")(storable_text)

    @model_validator(mode="after")
    def _one_target(self) -> TransferRequest:
        wants_requirements = self.to_skill is not None or self.to_team_id is not None
        if (self.to_advisor_id is None) == (not wants_requirements):
            raise ValueError(
                "give either to_advisor_id, or to_skill (with level) and/or to_team_id"
            )
        if self.override_care and self.to_advisor_id is None:
            raise ValueError("override_care applies only to a transfer to_advisor_id")
        return self


async def transfer(
    db: Database, conversation_id: int, request: TransferRequest, viewer: Principal | None
) -> ConversationPublic:
    async with db.session() as session:
        conversation = await conversations.lock_visible(session, conversation_id, viewer)
        _check_rights(conversation, request, viewer)
        context = await RoutingContext.load(session, returning_customers=[])
        previous = conversation.assignee_id
        if request.to_advisor_id is not None:
            await _to_advisor(session, conversation, request, viewer, context)
        else:
            await _to_requirements(session, conversation, request, viewer, context)
        if previous is not None and previous != conversation.assignee_id:
            await session.flush()
            await assignment.fill_advisor(session, previous)
        result = await tags.public(session, conversation)
        await session.commit()
        return result


_NOT_TRANSFERABLE = {
    ConversationStatus.pending: "is waiting on the customer: set it back to open first",
    ConversationStatus.resolved: "is resolved: reopen it first",
    ConversationStatus.closed: "is closed, which is final",
}


def _check_rights(
    conversation: Conversation, request: TransferRequest, viewer: Principal | None
) -> None:
    refusal = _NOT_TRANSFERABLE.get(ConversationStatus(conversation.status))
    if refusal is not None:
        raise Conflict(f"conversation {conversation.id} {refusal}", field="status")
    if viewer is not None and viewer.role == Role.advisor and conversation.assignee_id != viewer.id:
        raise Forbidden("an advisor may transfer only the conversations assigned to them")
    if request.override_care and not _may_override_care(viewer):
        raise Forbidden("only a supervisor or an admin may override care", field="override_care")


def _may_override_care(viewer: Principal | None) -> bool:
    """A person answerable for the advisors' care: a supervisor or an admin (not an
    advisor, nor an integrator's key, nor the system)."""
    return (
        viewer is not None
        and viewer.kind == PrincipalKind.staff
        and viewer.role in (Role.supervisor, Role.admin)
    )


async def _to_advisor(
    session: AsyncSession,
    conversation: Conversation,
    request: TransferRequest,
    viewer: Principal | None,
    context: RoutingContext,
) -> None:
    target_id = request.to_advisor_id
    assert target_id is not None
    await _visible_advisor(session, target_id, viewer)
    if target_id == conversation.assignee_id:
        raise Conflict(f"conversation {conversation.id} is already with advisor {target_id}")
    target = await profiles.locked_profile(session, target_id, day_start=context.day_start)
    if target is None:
        raise hidden("advisor", target_id)
    override = _overridden(target, conversation, request, viewer, context)
    overrides = {} if override is None else {"override": override}
    from_id = await _hand_over(session, conversation, request, context)
    explanation = {
        "mode": "transfer",
        "reason": f"transferred by {'the system' if viewer is None else f'#{viewer.id}'}",
        "from_advisor_id": from_id,  # the note itself is on the conversation
        **overrides,
    }
    await assignment.assign(session, conversation, target, mode="transfer", explanation=explanation)
    _record(
        session, conversation, request, from_id, viewer, to={"advisor_id": target_id}, **overrides
    )


def _overridden(
    target: AdvisorProfile,
    conversation: Conversation,
    request: TransferRequest,
    viewer: Principal | None,
    context: RoutingContext,
) -> dict[str, Any] | None:
    """Whether ``target`` may take it: None when nothing stands in the way, the override
    to record when only care did and the caller lifted it; else a 409 with the reason."""
    refusal = _refusal(target, conversation, context)
    if refusal is None:
        return None
    kind, reason = refusal
    message = f"advisor {target.id} cannot take it now: {reason}"
    if kind not in CARE_EXCLUSIONS:
        raise Conflict(message, field="to_advisor_id")
    if not request.override_care:
        raise Conflict(
            f"{message}; a supervisor may override this with override_care",
            field="to_advisor_id",
        )
    assert viewer is not None  # _check_rights let override_care through
    if not viewer.is_admin and target.team_id not in viewer.team_ids:
        raise Forbidden(
            f"a supervisor may override care only for their teams' advisors; advisor "
            f"{target.id} is not in them",
            field="override_care",
        )
    return {"care": reason, "by": viewer.id}


def _refusal(
    target: AdvisorProfile, conversation: Conversation, context: RoutingContext
) -> tuple[ExclusionKind, str] | None:
    """Only whether they can take one more conversation of this channel now (and, for an
    intense one, care): skills and language are the transferring person's judgement."""
    anything = Requirements(channel=str(conversation.channel), skills={})
    situation = Situation(
        now=context.now.timestamp(), intense=conversation.intense, care=context.policy.care
    )
    return exclusion(target, anything, situation)


async def _to_requirements(
    session: AsyncSession,
    conversation: Conversation,
    request: TransferRequest,
    viewer: Principal | None,
    context: RoutingContext,
) -> None:
    await _check_references(session, request)
    previous = (
        Requirements.from_dict(conversation.requirements) if conversation.requirements else None
    )
    requirements = Requirements(
        channel=str(conversation.channel),
        skills={} if request.to_skill is None else {request.to_skill: request.level},
        language=previous.language if previous is not None else conversation.language,
        team_id=request.to_team_id,
    )
    from_id = await _hand_over(session, conversation, request, context)
    conversation.requirements = requirements.to_dict()
    conversation.queue_team_id = requirements.team_id
    conversation.status = ConversationStatus.waiting
    conversation.assignee_id = None
    conversation.waiting_since = context.now
    conversation.wait_alerted_at = None  # a new wait: it may alert again
    queue.refile(conversation, context.policy, context.now)
    to: dict[str, object] = {"requirements": requirements.to_dict()}
    _record(session, conversation, request, from_id, viewer, to=to)
    await session.flush()
    rule = next(
        (r for r in context.rules if r.id == conversation.rule_id),
        next(r for r in context.rules if r.is_default),
    )
    avoid: dict[int, str] = {}
    if from_id is not None:  # kept away like a decline, so that pulls skip it too
        avoid[from_id] = "transferred it away"
        offers.keep_away(session, conversation, from_id, avoid[from_id], context, context.now)
    await assignment.route_one(session, conversation, rule, requirements, context, avoid)


async def _hand_over(
    session: AsyncSession,
    conversation: Conversation,
    request: TransferRequest,
    context: RoutingContext,
) -> int | None:
    """End the current assignment (or offer) and attach the note; the advisor released."""
    assert conversation.id is not None
    released = await care.end_live_assignment(session, conversation.id, "transferred", context.now)
    conversation.handover_note = request.note
    conversation.transferred_at = context.now
    conversation.updated_at = context.now
    return released[0] if released else None


def _record(
    session: AsyncSession,
    conversation: Conversation,
    request: TransferRequest,
    from_id: int | None,
    viewer: Principal | None,
    *,
    to: dict[str, object],
    **extra: Any,
) -> None:
    events.record(
        session,
        "conversation.transferred",
        customer_id=conversation.customer_id,
        conversation_id=conversation.id,
        advisor_id=from_id,
        note=request.note,
        to=to,
        by=events.actor(viewer),
        **extra,
    )


async def _visible_advisor(
    session: AsyncSession, advisor_id: int, viewer: Principal | None
) -> None:
    query = select(Advisor.id).where(col(Advisor.id) == advisor_id)
    clause = advisor_clause(viewer) if viewer is not None else None
    if clause is not None:
        query = query.where(clause)
    if await session.scalar(query) is None:
        raise hidden("advisor", advisor_id)


async def _check_references(session: AsyncSession, request: TransferRequest) -> None:
    if request.to_skill is not None:
        found = await session.scalar(select(Skill.id).where(col(Skill.name) == request.to_skill))
        if found is None:
            raise InvalidRequest(f"unknown skill {request.to_skill!r}", field="to_skill")
    if request.to_team_id is not None and await session.get(Team, request.to_team_id) is None:
        raise InvalidRequest(f"team {request.to_team_id} does not exist", field="to_team_id")
