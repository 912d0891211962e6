"""All tables, imported together so that SQLModel.metadata is complete (alembic, tests)."""

from sqlmodel import SQLModel

from router.models.advisors import Advisor, AdvisorSkill, Skill, Team
from router.models.conversations import Assignment, Conversation, Message
from router.models.customers import ChannelIdentity, Customer
from router.models.events import Event
from router.models.routing import RoutingRule

metadata = SQLModel.metadata

__all__ = [
    "Advisor",
    "AdvisorSkill",
    "Assignment",
    "ChannelIdentity",
    "Conversation",
    "Customer",
    "Event",
    "Message",
    "RoutingRule",
    "Skill",
    "Team",
    "metadata",
]
