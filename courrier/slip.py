"""The routing slip (fiche de liaison) for the paper letter, its number as QR code and barcode."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from courrier import workflow
from courrier.models import (
    CONFIDENTIALITY_LABELS,
    DIRECTION_LABELS,
    INSTRUCTION_LABELS,
    PRIORITY_LABELS,
    Courrier,
)

# Printed boxes the head ticks by hand when routing on paper.
HAND_INSTRUCTIONS = (
    "Attribution", "Copie pour information", "Avis", "Suite à donner", "Me rendre compte",
    "Classer",
)


def _date(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def _facts(courrier: Courrier) -> list[tuple[str, str]]:
    party = courrier.correspondent
    return [
        ("Sens", DIRECTION_LABELS[courrier.direction]),
        ("Enregistré le", courrier.registered_at.strftime("%d/%m/%Y à %H:%M")),
        ("Reçu le", _date(courrier.received_on)),
        ("Lettre du", _date(courrier.letter_date)),
        ("Référence", courrier.sender_reference or "—"),
        ("Correspondant", party.label if party else "—"),
        ("Objet", courrier.subject),
        ("Priorité", PRIORITY_LABELS[courrier.priority]),
        ("Confidentialité", CONFIDENTIALITY_LABELS[courrier.confidentiality]),
        ("Échéance", _date(courrier.due_on)),
        ("Statut", workflow.STATUS_LABELS[courrier.status]),
    ]


def routing_slip(courrier: Courrier, link: str = "") -> bytes:
    """A one-page A5 PDF: the courrier's facts, its routings, boxes to tick, the codes.

    Args:
        link: the courrier's address in the application, put in the QR code when given
            (a phone on the intranet then opens the page); the chrono number otherwise.
    """
    from reportlab.graphics.barcode.code128 import Code128
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A5, leftMargin=10 * mm, rightMargin=10 * mm,
                            topMargin=10 * mm, bottomMargin=10 * mm,
                            title=f"Fiche de liaison {courrier.chrono}")
    qr = QrCodeWidget(link or courrier.chrono)
    left, bottom, right, top = qr.getBounds()
    size = 28 * mm
    code = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    code.add(qr)
    header = Table([[
        [Paragraph(escape(courrier.entity.name), styles["Heading4"]),
         Paragraph("FICHE DE LIAISON", styles["Heading2"]),
         Paragraph(f"<b>{courrier.chrono}</b>", styles["Heading3"])],
        code,
    ]], colWidths=[98 * mm, 30 * mm])
    facts = Table([[Paragraph(f"<b>{k}</b>", small), Paragraph(escape(v), small)]
                   for k, v in _facts(courrier)], colWidths=[30 * mm, 98 * mm])
    routed = [[Paragraph(f"<b>{h}</b>", small) for h in ("Imputé à", "Instruction", "Le")]]
    routed += [[Paragraph(escape(i.target_label), small), INSTRUCTION_LABELS[i.kind],
                i.routed_at.strftime("%d/%m/%Y")] for i in courrier.imputations if i.active]
    routings = Table(routed, colWidths=[78 * mm, 28 * mm, 22 * mm])
    boxes = Table([[f"[  ]  {label}" for label in HAND_INSTRUCTIONS[:3]],
                   [f"[  ]  {label}" for label in HAND_INSTRUCTIONS[3:]]],
                  colWidths=[43 * mm] * 3)
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                       ("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTSIZE", (0, 0), (-1, -1), 8)])
    for table in (facts, routings, boxes):
        table.setStyle(grid)
    barcode = Code128(courrier.chrono, barHeight=12 * mm, barWidth=0.3 * mm, humanReadable=True)
    story = [header, Spacer(1, 3 * mm), facts, Spacer(1, 3 * mm), routings, Spacer(1, 3 * mm),
             boxes, Spacer(1, 3 * mm), Paragraph("<b>Observations :</b>", small),
             Spacer(1, 18 * mm), barcode]
    doc.build(story)
    return out.getvalue()
