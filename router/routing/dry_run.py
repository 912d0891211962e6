"""Routing dry-run: what would happen to this message now, and why; nothing is written."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from router.classify.language import detect_language
from router.models.channels import Channel
from router.models.validation import IsoDateTime, RequestBody, storable_text
from router.routing import config as routing_config
from router.routing import profiles
from router.store import Database
from router.store.types import utcnow
from skills import Facts, choose, match_rule, requirements_for


# Body of POST /v1/routing/dry-run.
class DryRunRequest(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "text": "Je veux résilier mon abonnement, c'est inadmissible !",
                    "channel": "email",
                    "subject": "Résiliation",
                    "tier": "vip",
                }
            ]
        }
    )
    text: str = Field(max_length=200_000, description="the message as a customer would write it")
    channel: Channel = Field(default=Channel("chat"), description="channel it would come through")
    subject: str | None = Field(
        default=None, max_length=998, description="e-mail subject; null on other channels"
    )
    language: str | None = Field(
        default=None,
        pattern=r"^(?:[a-z]{2,3}|other)$",
        description="skip detection and use this language: an ISO 639-1 code, or other",
    )
    intent: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9_.-]{1,60}$",
        description="skip classification and use this intent; null: classify the text",
    )
    tier: str | None = Field(
        default=None,
        max_length=40,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="the customer's tier (e.g. gold); null: standard",
    )
    emotion: str | None = Field(
        default=None,
        pattern=r"^[a-z_]{1,20}$",
        description="skip emotion reading and use this emotion; null: read it from the text",
    )
    emotion_intensity: float = Field(
        default=0.0, ge=0, le=1, description="the strength of that emotion, 0..1 (with emotion)"
    )
    at: IsoDateTime | None = Field(
        default=None, description="route as if the message arrived then (business hours)"
    )

    _text = field_validator("text", "subject")(storable_text)


# Answer of the dry-run.
class DryRunResult(BaseModel):
    language: str | None = Field(description="given, or detected from the text")
    rule: dict[str, Any] = Field(description="the rule that matched: id, name, position")
    requirements: dict[str, Any] = Field(
        description="what an advisor would need: skills with minimum levels, language, team"
    )
    priority: int = Field(description="the queue priority it would get")
    winner_id: int | None = Field(description="who would get it now (null: it would wait)")
    decision: dict[str, Any] = Field(description="ranked candidates, exclusions and why")


async def dry_run(db: Database, request: DryRunRequest) -> DryRunResult:
    facts = Facts(
        channel=request.channel.value,
        language=request.language or detect_language(request.text),
        intent=request.intent,
        text=f"{request.subject or ''}\n{request.text}",
        tier=request.tier or "standard",
        emotion=request.emotion,
        emotion_intensity=request.emotion_intensity,
        at=request.at or utcnow(),
    )
    async with db.read_session() as session:
        rule = match_rule(await profiles.active_rules(session), facts)
        requirements = requirements_for(rule, facts)
        policy = await routing_config.current(session)
        candidates = await profiles.available_profiles(session)
    decision = choose(
        candidates,
        requirements,
        rule.policy,
        now=utcnow().timestamp(),
        intense=policy.care.is_intense(facts.emotion, facts.emotion_intensity),
        care=policy.care,
    )
    return DryRunResult(
        language=facts.language,
        rule={"id": rule.id, "name": rule.name, "position": rule.position},
        requirements=requirements.to_dict(),
        priority=rule.priority,
        winner_id=decision.winner.id if decision.winner else None,
        decision=decision.to_dict(limit=50),
    )
