"""HMAC-SHA256 signatures of the portal's webhooks, for the sender (simulator) and the receiver.

The signed message is ``{timestamp}.{body}``: binding the time to the body lets the receiver
refuse an old message even when its signature is right.
"""

from __future__ import annotations

import hashlib
import hmac

from connectors.errors import WebhookRefused, WebhookUnsigned

SIGNATURE_HEADER = "X-Portail-Signature"
TIMESTAMP_HEADER = "X-Portail-Horodatage"
PREFIX = "sha256="
# A webhook older (or further in the future) than this is refused: clocks drift a little.
TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The value of the signature header for this body sent at ``timestamp`` (Unix seconds)."""
    message = f"{timestamp}.".encode() + body
    return PREFIX + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp_header: str | None, signature_header: str | None,
           body: bytes, now: float, tolerance: int = TOLERANCE_SECONDS) -> int:
    """Check a received webhook; return its timestamp.

    Raises:
        WebhookUnsigned: the signature or the timestamp header is missing.
        WebhookRefused: no secret configured, a wrong signature, or a timestamp outside the
            tolerance.
    """
    if not timestamp_header or not signature_header:
        raise WebhookUnsigned("Webhook refusé : signature ou horodatage absent.")
    if not secret:
        raise WebhookRefused(
            "Webhook refusé : aucun secret n'est configuré (ATD_PORTAL_WEBHOOK_SECRET)."
        )
    try:
        timestamp = int(timestamp_header.strip())
    except ValueError:
        raise WebhookRefused("Webhook refusé : horodatage illisible.") from None
    expected = sign(secret, timestamp, body)
    # Compared in constant time, before the timestamp, so that timing tells nothing.
    if not hmac.compare_digest(expected, signature_header.strip()):
        raise WebhookRefused("Webhook refusé : signature invalide.")
    if abs(now - timestamp) > tolerance:
        raise WebhookRefused("Webhook refusé : horodatage trop ancien ou dans le futur.")
    return timestamp
