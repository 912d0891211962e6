"""A realistic demo team: two teams, eight advisors, a supervisor, an admin, bilingual rules.

Every demo account gets a random password, returned once so the CLI can write it to a file
only its owner can read: demo data never ships a known password.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select

from router.demo.templates import TEMPLATES
from router.models import Advisor, AdvisorSkill, ReplyTemplate, RoutingRule, Skill, Team
from router.models.advisors import AdvisorStatus, Role
from router.models.security import StaffCredential
from router.models.templates import ReplyTemplateCreate
from router.security.passwords import hash_password
from router.security.staff import generate_password
from router.store import Database
from skills import RuleSpec

SKILLS = {
    "billing": "Invoices, payments, direct debits",
    "orders": "Orders, delivery, tracking, returns",
    "technical": "Login, app and connectivity problems",
    "retention": "Cancellations and win-back offers",
    "complaints": "Formal complaints and angry customers",
}

TEAMS = ("Front office", "Expert support")

# name, email, team index, languages, skills, capacity, per-channel capacity
ADVISORS: list[tuple[str, str, int, list[str], dict[str, int], int, dict[str, int]]] = [
    (
        "Camille Martin",
        "camille.martin",
        0,
        ["fr", "en"],
        {"billing": 4, "orders": 3},
        4,
        {"email": 3, "chat": 2},
    ),
    ("Lucas Bernard", "lucas.bernard", 0, ["fr"], {"orders": 4, "billing": 2}, 4, {}),
    ("Chloé Dubois", "chloe.dubois", 0, ["fr", "es"], {"orders": 3, "complaints": 3}, 3, {}),
    ("Emma Thompson", "emma.thompson", 0, ["en"], {"orders": 4, "billing": 3}, 4, {}),
    ("Hugo Petit", "hugo.petit", 1, ["fr", "en"], {"technical": 5, "orders": 2}, 3, {"chat": 3}),
    ("Sarah Nguyen", "sarah.nguyen", 1, ["en", "fr"], {"technical": 4, "billing": 2}, 3, {}),
    ("Noah Wilson", "noah.wilson", 1, ["en"], {"technical": 3, "retention": 4}, 3, {}),
    (
        "Léa Moreau",
        "lea.moreau",
        1,
        ["fr", "en"],
        {"retention": 5, "complaints": 4, "billing": 3},
        3,
        {},
    ),
]
SUPERVISOR = ("Inès Lambert", "ines.lambert", ["fr", "en"], {"complaints": 5, "billing": 4})

RULES: list[dict[str, Any]] = [
    {
        "name": "VIP customers",
        "position": 10,
        "conditions": {"tiers": ["vip"]},
        "required_skills": {"complaints": 3},
        "priority": 80,
        "policy": "best_fit",
    },
    {
        "name": "Cancellations",
        "position": 20,
        "conditions": {
            "keywords": [
                "résilier",
                "résilie",
                "résilies",
                "résiliez",
                "résiliation",
                "resilier",
                "resilie",
                "cancel",
                "cancellation",
                "unsubscribe",
                "désabonner",
            ]
        },
        "required_skills": {"retention": 3},
        "priority": 60,
        "policy": "best_fit",
    },
    {
        "name": "Technical problems",
        "position": 30,
        "conditions": {
            "keywords": [
                "bug",
                "erreur",
                "error",
                "panne",
                "connexion",
                "login",
                "mot de passe",
                "password",
                "crash",
                "ne fonctionne pas",
                "doesn't work",
                "not working",
            ]
        },
        "required_skills": {"technical": 3},
        "priority": 40,
        "policy": "best_fit",
    },
    {
        "name": "Billing and refunds",
        "position": 40,
        "conditions": {
            "keywords": [
                "facture",
                "invoice",
                "paiement",
                "payment",
                "prélèvement",
                "remboursement",
                "refund",
                "charged",
                "débité",
            ]
        },
        "required_skills": {"billing": 2},
        "priority": 30,
        "policy": "best_fit",
    },
    {
        "name": "Orders and delivery",
        "position": 50,
        "conditions": {
            "keywords": [
                "commande",
                "order",
                "livraison",
                "delivery",
                "colis",
                "parcel",
                "suivi",
                "tracking",
                "retour",
                "return",
            ]
        },
        "required_skills": {"orders": 2},
        "priority": 20,
        "policy": "least_busy",
    },
]


def _email(local: str) -> str:
    return f"{local}@demo.aiguillage.dev"


async def _credentials(session: Any, accounts: list[Advisor]) -> dict[str, str]:
    """A fresh password per account (hashed off the event loop); e-mail -> password."""
    passwords = {account.email: generate_password() for account in accounts}
    hashes = await asyncio.gather(
        *(asyncio.to_thread(hash_password, password) for password in passwords.values())
    )
    for account, password_hash in zip(accounts, hashes, strict=True):
        assert account.id is not None
        session.add(StaffCredential(advisor_id=account.id, password_hash=password_hash))
    return passwords


async def load_demo(database_url: str, *, only_if_empty: bool) -> dict[str, str] | None:
    """Insert the demo data in one transaction; returns the demo logins, or None if skipped."""
    db = Database(database_url, pool_size=1)
    try:
        async with db.session() as session:
            if only_if_empty and await session.scalar(select(func.count()).select_from(Advisor)):
                return None
            skills = {name: Skill(name=name, description=text) for name, text in SKILLS.items()}
            teams = [Team(name=name) for name in TEAMS]
            session.add_all([*skills.values(), *teams])
            await session.flush()
            name, local, languages, levels = SUPERVISOR
            supervisor = Advisor(
                name=name,
                email=_email(local),
                role=Role.supervisor,
                team_id=teams[1].id,
                languages=languages,
                status=AdvisorStatus.AWAY,
                capacity_total=2,
            )
            session.add(supervisor)
            await session.flush()
            advisors = [supervisor]
            for name, local, team, langs, _levels, capacity, per_channel in ADVISORS:
                advisors.append(
                    Advisor(
                        name=name,
                        email=_email(local),
                        team_id=teams[team].id,
                        languages=langs,
                        supervisor_id=supervisor.id,
                        status=AdvisorStatus.AVAILABLE,
                        capacity_total=capacity,
                        capacity_per_channel=per_channel,
                    )
                )
            admin = Advisor(
                name="Demo Admin",
                email=_email("admin"),
                role=Role.admin,
                status=AdvisorStatus.OFFLINE,
                capacity_total=0,
            )
            session.add_all([*advisors[1:], admin])
            await session.flush()
            logins = await _credentials(session, [admin, *advisors])
            all_levels = [levels] + [row[4] for row in ADVISORS]
            for advisor, advisor_levels in zip(advisors, all_levels, strict=True):
                for skill, level in advisor_levels.items():
                    skill_id = skills[skill].id
                    assert advisor.id is not None and skill_id is not None
                    session.add(AdvisorSkill(advisor_id=advisor.id, skill_id=skill_id, level=level))
            for template in TEMPLATES:  # validated as the API would
                valid = ReplyTemplateCreate.model_validate(template)
                session.add(ReplyTemplate(**valid.model_dump(mode="json")))
            for rule in RULES:
                RuleSpec.from_dict({**rule, "is_default": False}, known_skills=SKILLS)
                session.add(RoutingRule(**rule))
            await session.execute(
                update(RoutingRule)
                .where(col(RoutingRule.is_default).is_(True))
                .values(policy="least_busy", require_language=True)
            )
            await session.commit()
            return logins
    finally:
        await db.dispose()
