"""Who is calling, and what each route allows: one declaration checked in one place.

Staff roles are ordered (advisor < supervisor < admin); integrators' API keys carry scopes.
Data isolation (an advisor's own team, a supervisor's own teams) is enforced by the services
from ``team_ids``; this module only answers "may this caller use this route at all".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from router.models.advisors import Role
from router.models.security import Scope

_RANK = {Role.advisor: 1, Role.supervisor: 2, Role.admin: 3}


class PrincipalKind(StrEnum):
    staff = "staff"
    api_key = "api_key"


@dataclass(frozen=True)
class Principal:
    kind: PrincipalKind
    id: int
    role: Role | None = None
    team_ids: frozenset[int] = frozenset()
    scopes: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()  # API keys: empty means every channel
    session_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    @property
    def sees_everything(self) -> bool:
        """Admins and integrators are not confined to teams."""
        return self.is_admin or self.kind == PrincipalKind.api_key

    def may_use_channel(self, channel: str) -> bool:
        return self.kind != PrincipalKind.api_key or not self.channels or channel in self.channels


@dataclass(frozen=True)
class Access:
    """A route's declared access: the least staff role, and the API key scope (if any)."""

    role: Role | None = None
    scope: Scope | None = None
    public: bool = False

    def permits(self, principal: Principal | None) -> bool:
        if self.public:
            return True
        if principal is None:
            return False
        if principal.kind == PrincipalKind.api_key:
            return self.scope is not None and self.scope.value in principal.scopes
        return (
            self.role is not None
            and principal.role is not None
            and _RANK[principal.role] >= _RANK[self.role]
        )

    def describe(self) -> str:
        if self.public:
            return "public"
        parts = [f"role >= {self.role.value}"] if self.role else []
        if self.scope:
            parts.append(f"API key scope {self.scope.value}")
        return " or ".join(parts) or "nobody"


PUBLIC = Access(public=True)
