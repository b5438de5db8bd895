"""Domain exceptions of the core package; web and API layers map them to HTTP statuses."""

from __future__ import annotations


class AtdError(Exception):
    """Base of every error the toolkit raises on purpose; its message is French, for people."""

    status = 400


class ConfigError(AtdError):
    """A setting has a wrong value; the message names the variable."""

    status = 500


class ValidationError(AtdError):
    """Input that cannot be accepted as it is."""

    status = 400


class NotFound(AtdError):
    status = 404


class PermissionDenied(AtdError):
    status = 403


class Conflict(AtdError):
    status = 409


class AuthenticationFailed(AtdError):
    status = 401


class AccountLocked(AuthenticationFailed):
    status = 429


class TransientError(AtdError):
    """A failure worth retrying later (network, a service briefly down)."""

    status = 503
