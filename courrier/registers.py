"""The chrono register of an entity, direction and period, as CSV, Excel or PDF."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from core import permissions
from core.identity import Entity, User, entity_by_code
from courrier import access, workflow
from courrier.errors import CourrierAccessDenied, InvalidCourrier
from courrier.models import DIRECTION_LABELS, DIRECTIONS, Courrier, CourrierLink

FORMATS = ("pdf", "csv", "xlsx")
COLUMNS = ("N°", "Date", "Correspondant", "Objet", "Imputé à", "Suite donnée")
MASKED = "(confidentiel)"


@dataclass(frozen=True)
class Row:
    chrono: str
    registered_on: date
    correspondent: str
    subject: str
    routed_to: str
    outcome: str

    def cells(self) -> tuple[str, ...]:
        return (self.chrono, self.registered_on.strftime("%d/%m/%Y"), self.correspondent,
                self.subject, self.routed_to, self.outcome)


@dataclass(frozen=True)
class Register:
    entity: Entity
    direction: str
    start: date
    end: date
    rows: list[Row]

    @property
    def title(self) -> str:
        if (self.start, self.end) == year_bounds(self.start.year):
            period = str(self.start.year)
        else:
            period = f"du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"
        return (f"Registre chrono du courrier {DIRECTION_LABELS[self.direction].lower()} — "
                f"{self.entity.code} — {period}")


def _outcome(courrier: Courrier, replies: dict[int, list[str]]) -> str:
    if courrier.status == "annule":
        return f"Annulé : {courrier.cancel_reason}"
    text = workflow.STATUS_LABELS[courrier.status]
    if replies.get(courrier.id):
        text += f" (réponse {', '.join(replies[courrier.id])})"
    return text


def _routed_to(courrier: Courrier) -> str:
    service = courrier.holder_entity
    if courrier.holder is not None:
        return f"{courrier.holder.name} ({service.code})" if service else courrier.holder.name
    return service.name if service else "—"


def build(session: Session, actor: User | None, entity_code: str, direction: str,
          start: date, end: date) -> Register:
    """The register's rows in number order; subjects of confidential courriers the actor may
    not see are masked. ``actor`` None is the command line (every subject masked).

    Raises:
        InvalidCourrier: unknown entity or direction, or an empty period.
        CourrierAccessDenied: the user may not see the entity.
    """
    entity = entity_by_code(session, entity_code)
    if entity is None:
        raise InvalidCourrier(f"Entité inconnue : « {entity_code} ».")
    if direction not in DIRECTIONS:
        raise InvalidCourrier(f"Sens inconnu : « {direction} » ({', '.join(DIRECTIONS)}).")
    if end < start:
        raise InvalidCourrier("La fin de la période précède son début.")
    if actor is not None and not permissions.may(session, actor, "voir", entity.id):
        raise CourrierAccessDenied(f"Vous n'avez pas accès au registre de {entity.code}.",
                                   entity_id=entity.id, action="registre")
    after_end = end + timedelta(days=1)
    window = (Courrier.registered_at >= datetime.combine(start, time.min, tzinfo=UTC),
              Courrier.registered_at < datetime.combine(after_end, time.min, tzinfo=UTC))
    courriers = list(session.scalars(
        select(Courrier)
        .where(Courrier.entity_id == entity.id, Courrier.direction == direction, *window)
        .options(joinedload(Courrier.sender), joinedload(Courrier.recipient),
                 joinedload(Courrier.holder), joinedload(Courrier.holder_entity))
        .order_by(Courrier.year, Courrier.seq)
    ))
    ids = [c.id for c in courriers]
    visible: set[int] = set()
    if actor is not None and ids:
        visible = set(session.scalars(select(Courrier.id).where(
            Courrier.id.in_(ids), access.visible_condition(session, actor))))
    replies: dict[int, list[str]] = {}
    if ids:
        for target, number in session.execute(
            select(CourrierLink.target_id, Courrier.chrono)
            .join(Courrier, Courrier.id == CourrierLink.source_id)
            .where(CourrierLink.target_id.in_(ids), CourrierLink.kind == "reponse")
        ):
            replies.setdefault(target, []).append(number)
    rows = []
    for c in courriers:
        masked = c.confidentiality != "normal" and c.id not in visible
        party = c.correspondent
        rows.append(Row(c.chrono, c.registered_at.date(), party.label if party else "—",
                        MASKED if masked else c.subject, _routed_to(c), _outcome(c, replies)))
    return Register(entity, direction, start, end, rows)


def to_csv(register: Register) -> bytes:
    """Semicolon-separated UTF-8 with a BOM: what a French spreadsheet opens as it is."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(COLUMNS)
    writer.writerows(row.cells() for row in register.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(register: Register) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Registre"
    sheet.append([register.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(list(COLUMNS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in register.rows:
        sheet.append([row.chrono, row.registered_on, *row.cells()[2:]])
        sheet.cell(sheet.max_row, 2).number_format = "DD/MM/YYYY"
    for letter, width in zip("ABCDEF", (24, 12, 34, 60, 30, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(register: Register) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    styles = getSampleStyleSheet()
    cell = styles["BodyText"].clone("cell", fontSize=8, leading=10)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm, title=register.title)
    data: list[Sequence[object]] = [[Paragraph(f"<b>{c}</b>", cell) for c in COLUMNS]]
    data += [[Paragraph(escape(v), cell) for v in row.cells()] for row in register.rows]
    table = Table(data, colWidths=[38 * mm, 20 * mm, 50 * mm, 90 * mm, 42 * mm, 33 * mm],
                  repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde4ee")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    footer = f"{len(register.rows)} courrier(s)"

    def decorate(canvas: Any, _document: Any) -> None:
        canvas.setFont("Helvetica", 8)
        page = f"{footer} — page {canvas.getPageNumber()}"
        canvas.drawRightString(landscape(A4)[0] - 12 * mm, 8 * mm, page)

    story = [Paragraph(escape(register.title), styles["Title"]), table]
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()


def render(register: Register, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise InvalidCourrier(f"Format inconnu : « {fmt} » ({', '.join(FORMATS)}).")
    return {"pdf": to_pdf, "csv": to_csv, "xlsx": to_xlsx}[fmt](register)


MEDIA_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)
