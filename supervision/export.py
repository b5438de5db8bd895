"""The figures as a CSV file: one line per entity and indicator, for a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from typing import Any

HEADER = ("entite", "rubrique", "indicateur", "valeur")


def _flat(prefix: str, value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _flat(f"{prefix}.{key}" if prefix else str(key), inner)
    elif not isinstance(value, list):
        yield prefix, "" if value is None else value


def _unit_rows(unit: Mapping[str, Any]) -> Iterator[tuple[str, str, str, Any]]:
    code, mail = unit["code"], unit["courrier"]
    for section in ("courrier", "ged", "demarches"):
        for name, value in _flat("", unit[section]):
            yield code, section, name, value
    for point in mail["delai_traitement_jours"]["distribution"]:
        yield code, "courrier", f"delai_traitement_jours.{point['jours']}", point["nombre"]
    for service in mail["par_service"]:
        yield code, "courrier", f"traites_par_service.{service['code']}", service["traites"]
    for day in mail["par_jour"]:
        for name, value in _flat("", {k: v for k, v in day.items() if k != "jour"}):
            yield code, "par_jour", f"{day['jour']}.{name}", value
    for alert in unit["alertes"]:
        yield code, "alertes", alert["code"], alert["message"]


def csv_text(figures: Mapping[str, Any]) -> str:
    """The figures of the whole and of each entity; ``;``-separated with a BOM, as the
    French versions of spreadsheets expect."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    whole = figures["ensemble"]
    units = [whole, *(u for u in figures["entites"] if u is not whole and u != whole)]
    for unit in units:
        writer.writerows(_unit_rows(unit))
    plan = figures.get("plan")
    if plan:
        for axis in plan["axes"]:
            writer.writerow((whole["code"], "plan", f"axe_{axis['numero']}.avancement",
                             axis["avancement"]))
    return out.getvalue()
