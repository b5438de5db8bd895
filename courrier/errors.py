"""Domain errors of the courrier; each message is one French sentence for the person at the desk."""

from __future__ import annotations

from core.errors import Conflict, NotFound, PermissionDenied, ValidationError


class InvalidCourrier(ValidationError):
    """A registration or an action whose input cannot be accepted as it is."""


class ForbiddenTransition(Conflict):
    """The courrier's current status does not allow the action asked for."""


class CourrierNotFound(NotFound):
    """No courrier with that id, or one the user may not see."""


class CorrespondentNotFound(NotFound):
    """No correspondent with that id in the directory."""


class CourrierAccessDenied(PermissionDenied):
    """The user may not see or act on this courrier; it says what to write in the event log."""

    def __init__(self, message: str, courrier_id: int | None = None,
                 entity_id: int | None = None, action: str = "") -> None:
        super().__init__(message)
        self.courrier_id = courrier_id
        self.entity_id = entity_id
        self.action = action


class RoutingOutsideEntity(CourrierAccessDenied):
    """Routing to a service that is not below the router's own entities."""
