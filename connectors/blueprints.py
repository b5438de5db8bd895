"""Every blueprint of the connectors, registered by the application factory in one call."""

from __future__ import annotations

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    from connectors.catalogue import web as catalogue_web
    from connectors.portal import api as portal_api
    from connectors.portal import web as portal_web

    return [catalogue_web.bp, portal_api.bp, portal_web.bp]
