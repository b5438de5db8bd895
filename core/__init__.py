"""The core: settings, database, identity, authentication, event log, jobs, app and CLI."""

from core.app import create_app

__all__ = ["create_app"]
