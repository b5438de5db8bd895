"""Imports every table so that ``Base.metadata`` is complete (for Alembic and the tests)."""

from connectors.intake.models import IntakeItem
from connectors.portal.models import (
    OutboxMessage,
    PortalDossier,
    PortalState,
    Publication,
    QuarantinedDossier,
    WebhookReceipt,
)
from core.audit import AuditHead, Event
from core.auth import ApiToken
from core.identity import Demarche, Entity, RoleAssignment, User
from courrier.models import (
    AnnouncedHoliday,
    Attachment,
    ChronoCounter,
    Correspondent,
    Courrier,
    CourrierLink,
    CourrierSettings,
    Imputation,
    Reminder,
    Step,
)
from ged.models import Document, DocumentVersion, Page
from ged.search.models import SearchEntry
from supervision.models import DailyCount, FoldCursor, MonthlyCount, Threshold
from supervision.plan.models import Plan, PlanTask

__all__ = [
    "ApiToken", "AuditHead", "Demarche", "Document", "DocumentVersion", "Entity", "Event", "Page",
    "Plan", "PlanTask", "RoleAssignment", "User",
    # courrier
    "AnnouncedHoliday", "Attachment", "ChronoCounter", "Correspondent", "Courrier",
    "CourrierLink", "CourrierSettings", "Imputation", "Reminder", "Step",
    # connectors
    "IntakeItem", "OutboxMessage", "PortalDossier", "PortalState", "Publication",
    "QuarantinedDossier", "WebhookReceipt",
    # supervision
    "DailyCount", "FoldCursor", "MonthlyCount", "Threshold",
    # search
    "SearchEntry",
]
