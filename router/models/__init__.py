"""All tables, imported together so that SQLModel.metadata is complete (alembic, tests)."""

from sqlmodel import SQLModel

from router.models.advisors import Advisor, AdvisorSkill, Skill, Team
from router.models.alerts import Alert
from router.models.attachments import MessageAttachment, MessageOriginal
from router.models.classifier import ClassifierModel, LabelCorrection
from router.models.conversations import Assignment, Conversation, Message
from router.models.csat import CsatSurvey
from router.models.customers import ChannelIdentity, Customer
from router.models.events import Event
from router.models.receipts import ChannelReceipt
from router.models.routing import RoutingConfig, RoutingExclusion, RoutingRule
from router.models.security import ApiKey, AuditEntry, AuthSession, ServerSecret, StaffCredential
from router.models.simulations import SimulationJob
from router.models.sla import SlaPolicy
from router.models.templates import ReplyTemplate
from router.models.tickets import ConversationTag, Note

metadata = SQLModel.metadata

__all__ = [
    "Advisor",
    "AdvisorSkill",
    "Alert",
    "ApiKey",
    "AuditEntry",
    "AuthSession",
    "Assignment",
    "ChannelIdentity",
    "ClassifierModel",
    "ChannelReceipt",
    "Conversation",
    "Customer",
    "Event",
    "LabelCorrection",
    "Message",
    "MessageAttachment",
    "MessageOriginal",
    "RoutingConfig",
    "RoutingExclusion",
    "RoutingRule",
    "ServerSecret",
    "SimulationJob",
    "Skill",
    "StaffCredential",
    "Team",
    "CsatSurvey",
    "ConversationTag",
    "Note",
    "ReplyTemplate",
    "SlaPolicy",
    "metadata",
]
