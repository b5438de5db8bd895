"""Imports every table so that ``Base.metadata`` is complete (for Alembic and the tests)."""

from core.audit import AuditHead, Event
from core.auth import ApiToken
from core.identity import Demarche, Entity, RoleAssignment, User
from supervision.plan.models import Plan, PlanTask

__all__ = ["ApiToken", "AuditHead", "Demarche", "Entity", "Event", "Plan", "PlanTask", "RoleAssignment", "User"]
