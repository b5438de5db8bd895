"""The portal's webhook under the JSON API (signed by the portal, so no bearer token)."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, jsonify, request

from connectors.portal import webhook
from core.app import db
from core.openapi import Schema, operation, strict_object

bp = Blueprint("portal_api", __name__, url_prefix="/api/v1/portail")

RECU = Schema("WebhookRecu", strict_object({
    "statut": {"const": "recu"},
    "id": {"type": "integer", "description": "Numéro de réception."},
}))


@bp.post("/webhook")
@operation(responses={202: RECU}, errors=(400, 401, 409), public=True, tags=("Portail",))
def receive_webhook() -> Any:
    """Reçoit un webhook signé du portail national (dossier déposé ou modifié).

    En-têtes `X-Portail-Horodatage` (secondes Unix) et `X-Portail-Signature`
    (`sha256=` suivi du HMAC-SHA256 hexadécimal de `horodatage.corps` avec le secret
    partagé). Sans ces en-têtes : 400 ; une signature fausse ou un horodatage de plus de cinq
    minutes : 401 ; le même
    corps reçu une seconde fois : 409. Les dossiers sont ensuite relevés par le curseur.
    """
    receipt = webhook.receive(
        db(), request.headers.get(webhook.signature.TIMESTAMP_HEADER),
        request.headers.get(webhook.signature.SIGNATURE_HEADER), request.get_data(), time.time(),
    )
    return jsonify(statut="recu", id=receipt.id), 202
