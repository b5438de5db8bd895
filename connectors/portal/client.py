"""The portal behind a small interface; the real client speaks HTTP with timeouts.

Only declared transient failures (no connection, timeout, 5xx, 408, 429) raise
``PortalUnavailable`` and are retried; any other refusal raises ``PortalRefused``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urljoin

import requests

from connectors.errors import PortalNotConfigured, PortalRefused, PortalUnavailable
from core.settings import Settings

TRANSIENT_STATUSES = frozenset({408, 425, 429})


@dataclass(frozen=True)
class DossierPage:
    dossiers: list[Any]
    cursor: str
    has_more: bool


class PortalClient(Protocol):
    def put_demarche(self, code: str, payload: dict[str, Any]) -> dict[str, Any]: ...

    def set_dossier_state(self, dossier_id: str, payload: dict[str, Any]) -> dict[str, Any]: ...

    def dossiers(self, cursor: str, updated_since: str | None = None,
                 limit: int = 100) -> DossierPage: ...

    def download(self, path: str, max_bytes: int) -> bytes: ...


def _reason(answer: requests.Response) -> str:
    try:
        return str(answer.json().get("error") or answer.reason)
    except ValueError:
        return answer.text[:200] or answer.reason


class HttpPortalClient:
    """The portal's JSON API over HTTP, with a bearer token and a timeout on every call."""

    def __init__(self, base_url: str, token: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout = timeout
        self.http = requests.Session()
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = urljoin(self.base_url, path.lstrip("/"))
        try:
            answer = self.http.request(method, url, timeout=self.timeout, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise PortalUnavailable(
                f"portail injoignable ({type(exc).__name__})", unreachable=True
            ) from None
        except requests.RequestException as exc:
            raise PortalUnavailable(f"échange avec le portail interrompu ({exc})") from None
        status = answer.status_code
        if status >= 500 or status in TRANSIENT_STATUSES:
            raise PortalUnavailable(f"le portail a répondu {status} : {_reason(answer)}")
        if status >= 400:
            raise PortalRefused(f"le portail a refusé ({status}) : {_reason(answer)}", status)
        return answer

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = self._call(method, path, **kwargs)
        try:
            return answer.json()
        except ValueError:
            # A proxy's error page in place of the portal: worth trying again later.
            raise PortalUnavailable("le portail a répondu autre chose que du JSON") from None

    def put_demarche(self, code: str, payload: dict[str, Any]) -> dict[str, Any]:
        return dict(self._json("PUT", f"api/demarches/{code}", json=payload))

    def set_dossier_state(self, dossier_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        return dict(self._json("PUT", f"api/dossiers/{dossier_id}/etat", json=payload))

    def dossiers(self, cursor: str, updated_since: str | None = None,
                 limit: int = 100) -> DossierPage:
        params = {"cursor": cursor, "limit": str(limit)}
        if updated_since:
            params["updated_since"] = updated_since
        body = self._json("GET", "api/dossiers", params=params)
        if not isinstance(body, dict) or not isinstance(body.get("dossiers"), list):
            raise PortalUnavailable("réponse du portail illisible (liste des dossiers)")
        return DossierPage(body["dossiers"], str(body.get("cursor") or cursor),
                           bool(body.get("has_more")))

    def download(self, path: str, max_bytes: int) -> bytes:
        """A pièce's bytes; refused (not retried) when larger than ``max_bytes``."""
        answer = self._call("GET", path, stream=True)
        chunks, size = [], 0
        try:
            for chunk in answer.iter_content(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise PortalRefused(f"pièce de plus de {max_bytes // (1024 * 1024)} Mo")
                chunks.append(chunk)
        except requests.RequestException as exc:
            raise PortalUnavailable(f"téléchargement interrompu ({type(exc).__name__})") from None
        finally:
            answer.close()
        return b"".join(chunks)


def client_for(settings: Settings) -> PortalClient:
    """The client of the configured portal.

    Raises:
        PortalNotConfigured: ``ATD_PORTAL_URL`` is not set, or is not an http(s) URL.
    """
    url = settings.portal_url
    if not url:
        raise PortalNotConfigured(
            "ATD_PORTAL_URL n'est pas défini : aucun portail n'est configuré."
        )
    if not url.startswith(("http://", "https://")):
        raise PortalNotConfigured(f"ATD_PORTAL_URL doit être une URL http(s) (reçu {url!r}).")
    return HttpPortalClient(url, settings.portal_token, settings.portal_timeout_seconds)
