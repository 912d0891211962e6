"""All tables, imported together so that SQLModel.metadata is complete (alembic, tests)."""

from sqlmodel import SQLModel

from router.models.advisors import Advisor, AdvisorSkill, Skill, Team
from router.models.conversations import Assignment, Conversation, Message
from router.models.customers import ChannelIdentity, Customer
from router.models.events import Event
from router.models.routing import RoutingRule
from router.models.security import ApiKey, AuditEntry, AuthSession, ServerSecret, StaffCredential

metadata = SQLModel.metadata

__all__ = [
    "Advisor",
    "AdvisorSkill",
    "ApiKey",
    "AuditEntry",
    "AuthSession",
    "Assignment",
    "ChannelIdentity",
    "Conversation",
    "Customer",
    "Event",
    "Message",
    "RoutingRule",
    "ServerSecret",
    "Skill",
    "StaffCredential",
    "Team",
    "metadata",
]
