"""Domain errors of the connectors: the portal, its webhook, dossier intake, scans and e-mail."""

from __future__ import annotations

from core.errors import (
    AtdError,
    AuthenticationFailed,
    ConfigError,
    Conflict,
    NotFound,
    TransientError,
    ValidationError,
)


class PortalNotConfigured(ConfigError):
    """``ATD_PORTAL_URL`` is not set: nothing can be pushed to or pulled from the portal."""


class PortalUnavailable(TransientError):
    """The portal could not be reached or answered a server error: worth trying again later."""

    def __init__(self, message: str, unreachable: bool = False) -> None:
        super().__init__(message)
        # No answer at all (refused, timed out): the next messages would fail the same way.
        self.unreachable = unreachable


class PortalRefused(AtdError):
    """The portal refused what was sent (a 4xx answer): sending it again would not help."""

    status = 502

    def __init__(self, message: str, http_status: int = 0) -> None:
        super().__init__(message)
        self.http_status = http_status


class DemarcheNotFound(NotFound):
    """No démarche with that code in the catalogue (or none the user may see)."""


class IncompleteDemarche(ValidationError):
    """A démarche that lacks what the portal needs (pièces, étapes, delay) is not published."""

    def __init__(self, message: str, missing: list[str]) -> None:
        super().__init__(message)
        self.missing = missing


class InvalidDemarche(ValidationError):
    """An edit of the catalogue that cannot be accepted as it is."""


class MalformedDossier(ValidationError):
    """A dossier from the portal that cannot become a courrier: it is quarantined."""


class WebhookRefused(AuthenticationFailed):
    """A webhook whose signature or timestamp is wrong (401)."""


class WebhookUnsigned(ValidationError):
    """A request to the webhook without its signature headers: not a webhook at all (400)."""


class WebhookReplayed(Conflict):
    """A webhook already received once: refused so that nothing happens twice (409)."""


class DossierNotFound(NotFound):
    """No dossier of the portal with that number here."""


class InvalidDecision(ValidationError):
    """A decision on a portal dossier that cannot be taken (unknown, no reason for a refusal)."""


class DecisionConflict(Conflict):
    """The dossier already carries another final decision."""


class MailboxUnavailable(TransientError):
    """The IMAP server could not be reached or failed: the mailbox is read again later."""


class MailboxRefused(ConfigError):
    """The IMAP server refused the login or the mailbox: the configuration must change."""


class IntakeItemNotFound(NotFound):
    """No item of the intake queue with that number (or none the user may handle)."""


class IntakeItemHandled(Conflict):
    """The item was already registered or discarded (by someone else, a moment ago)."""


class InvalidIntakeAction(ValidationError):
    """A discard without its reason, or an item that cannot be handled this way."""
