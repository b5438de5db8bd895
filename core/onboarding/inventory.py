"""A ministry's inventory as typed rows, checked as a whole before anything is written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from core.identity import ENTITY_TYPES, ROLES
from core.onboarding.errors import InventoryError, located
from core.onboarding.schema import SECTIONS, Located, parse_record
from core.onboarding.sources import read_document

CHILD_TYPES = tuple(t for t in ENTITY_TYPES if t != "ministere")
AUDIENCES = ("citoyens", "entreprises", "associations", "administrations")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
CURRENCY = re.compile(r"[A-Z]{3}")
LIST_SECTIONS = ("entites", "utilisateurs", "demarches")
YAML_LINE = re.compile(r"[^,:]+:(\d+) : ")


@dataclass(frozen=True)
class MinistryRow:
    code: str
    name: str
    where: str


@dataclass(frozen=True)
class EntityRow:
    code: str
    name: str
    type: str
    parent: str  # the ministry's code when the file names no parent
    delays: dict[str, int]
    where: str


@dataclass(frozen=True)
class UserRow:
    login: str
    name: str
    email: str
    entity: str
    roles: tuple[str, ...]
    where: str


@dataclass(frozen=True)
class DemarcheRow:
    code: str
    title: str
    entity: str
    audience: tuple[str, ...]
    description: str
    pieces: tuple[str, ...]
    steps: tuple[str, ...]
    cost_amount: int
    cost_currency: str
    delay_days: int | None
    online: bool
    online_url: str | None
    where: str


@dataclass(frozen=True)
class Inventory:
    source: str
    ministry: MinistryRow
    entities: tuple[EntityRow, ...]  # parents before children
    users: tuple[UserRow, ...] = ()
    demarches: tuple[DemarcheRow, ...] = ()
    plan_start: date | None = None
    # Sections the file describes: rows of an absent section are neither reported nor pruned.
    sections: frozenset[str] = field(default_factory=frozenset)


def load_inventory(path: Path) -> Inventory:
    """Read and check a YAML file or an Excel workbook.

    Raises:
        InventoryError: with every error found, each prefixed by its file and line (or its
            sheet and row).
    """
    path = Path(path)
    return build_inventory(read_document(path), path.name)


def _mapping(document: Located, name: str, errors: list[str], required: bool) -> Located | None:
    value = document.get(name)
    if value is None:
        if required:
            errors.append(located(document.where, f"section « {name} » absente"))
        return None
    if not isinstance(value, Located):
        errors.append(located(document.at(name), f"« {name} » doit être un dictionnaire de clés"))
        return None
    return value


def _records(document: Located, name: str, errors: list[str]) -> list[Located]:
    value = document.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(located(document.at(name), f"« {name} » doit être une liste"))
        return []
    records = []
    for number, item in enumerate(value, start=1):
        if isinstance(item, Located):
            records.append(item)
        else:
            errors.append(
                located(
                    document.at(name),
                    f"l'élément n°{number} de « {name} » doit être un dictionnaire",
                )
            )
    return records


class _Checker:
    """Collects the errors of one inventory while its rows are built."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(located(where, message))

    def unique(self, seen: dict[str, str], key: str, where: str, label: str) -> None:
        if key in seen:
            self.error(where, f"{label} « {key} » en double (déjà défini : {seen[key]})")
        else:
            seen[key] = where

    def choices(self, values: list[str], allowed: tuple[str, ...], where: str, label: str) -> None:
        for value in values:
            if value not in allowed:
                self.error(where, f"{label} inconnu « {value} » (attendu : {', '.join(allowed)})")

    def known(self, code: str | None, codes: dict[str, str], where: str, label: str) -> None:
        if code is not None and code not in codes:
            self.error(where, f"{label} inconnue « {code} »")

    def ministry(self, record: Located | None) -> MinistryRow | None:
        if record is None:
            return None
        values = parse_record(record, "ministere", self.errors)
        if values["code"] is None or values["nom"] is None:
            return None
        return MinistryRow(values["code"], values["nom"], record.where)

    def entities(self, records: list[Located], ministry: MinistryRow | None) -> list[EntityRow]:
        rows = []
        for record in records:
            values = parse_record(record, "entites", self.errors)
            if values["type"] is not None:
                self.choices([values["type"]], CHILD_TYPES, record.at("type"), "type d'entité")
            if values["code"] is None:
                continue
            delays = {
                key.split(".", 1)[1]: value
                for key, value in values.items()
                if key.startswith("delais.") and value is not None
            }
            parent = values["parent"] or (ministry.code if ministry else "")
            rows.append(
                EntityRow(
                    values["code"],
                    values["nom"] or "",
                    values["type"] or "",
                    parent,
                    delays,
                    record.where,
                )
            )
        return rows

    def tree(self, rows: list[EntityRow], ministry: MinistryRow | None) -> dict[str, str]:
        """Check codes and parents; return every entity code (the ministry's too) with its place."""
        codes: dict[str, str] = {}
        if ministry is not None:
            codes[ministry.code] = ministry.where
        for row in rows:
            self.unique(codes, row.code, row.where, "code d'entité")
        for row in rows:
            self.known(row.parent, codes, row.where, "entité parente")
        # An entity reusing the ministry's code is already reported as a duplicate, not a cycle.
        self._cycles(
            {row.code: row for row in rows if ministry is None or row.code != ministry.code}
        )
        return codes

    def _cycles(self, rows: dict[str, EntityRow]) -> None:
        done: set[str] = set()
        for start in rows:
            path: list[str] = []
            code: str | None = start
            while code in rows and code not in done:
                if code in path:
                    cycle = path[path.index(code) :] + [code]
                    self.error(rows[code].where, f"cycle dans l'arborescence : {' → '.join(cycle)}")
                    break
                path.append(code)
                code = rows[code].parent
            done.update(path)

    def users(self, records: list[Located], entities: dict[str, str]) -> list[UserRow]:
        rows: list[UserRow] = []
        logins: dict[str, str] = {}
        for record in records:
            values = parse_record(record, "utilisateurs", self.errors)
            email, roles = values["email"], values["roles"] or []
            if email is not None and not EMAIL.fullmatch(email):
                self.error(record.at("email"), f"adresse e-mail invalide « {email} »")
            self.choices(roles, ROLES, record.at("roles"), "rôle")
            self.known(values["entite"], entities, record.at("entite"), "entité")
            if values["login"] is None:
                continue
            self.unique(logins, values["login"], record.where, "identifiant")
            rows.append(
                UserRow(
                    values["login"],
                    values["nom"] or "",
                    email or "",
                    values["entite"] or "",
                    tuple(dict.fromkeys(roles)),
                    record.where,
                )
            )
        return rows

    def demarches(self, records: list[Located], entities: dict[str, str]) -> list[DemarcheRow]:
        rows: list[DemarcheRow] = []
        codes: dict[str, str] = {}
        for record in records:
            values = parse_record(record, "demarches", self.errors)
            self.choices(values["public"] or [], AUDIENCES, record.at("public"), "public")
            self.known(values["entite"], entities, record.at("entite"), "entité")
            currency = values["cout.devise"] or "XOF"
            if not CURRENCY.fullmatch(currency):
                self.error(
                    record.at("cout.devise"),
                    f"devise invalide « {currency} » (trois lettres, ex. XOF)",
                )
            url = values["url"]
            if url is not None and not url.startswith(("https://", "http://")):
                self.error(
                    record.at("url"), f"adresse en ligne invalide « {url} » (http:// ou https://)"
                )
            if values["code"] is None:
                continue
            self.unique(codes, values["code"], record.where, "code de démarche")
            rows.append(
                DemarcheRow(
                    code=values["code"],
                    title=values["titre"] or "",
                    entity=values["entite"] or "",
                    audience=tuple(values["public"] or ()),
                    description=values["description"] or "",
                    pieces=tuple(values["pieces"] or ()),
                    steps=tuple(values["etapes"] or ()),
                    cost_amount=values["cout.montant"] or 0,
                    cost_currency=currency,
                    delay_days=values["delai_jours"],
                    online=bool(values["en_ligne"]),
                    online_url=url,
                    where=record.where,
                )
            )
        return rows

    def plan_start(self, record: Located | None) -> date | None:
        if record is None:
            return None
        return parse_record(record, "plan", self.errors)["debut"]


def _line(message: str) -> int:
    found = YAML_LINE.match(message)
    return int(found.group(1)) if found else 0


def _parents_first(rows: list[EntityRow]) -> tuple[EntityRow, ...]:
    by_code = {row.code: row for row in rows}

    def depth(row: EntityRow) -> int:
        level, parent, seen = 0, by_code.get(row.parent), {row.code}
        while parent is not None and parent.code not in seen:
            seen.add(parent.code)
            level, parent = level + 1, by_code.get(parent.parent)
        return level

    return tuple(sorted(rows, key=depth))


def build_inventory(document: Any, source: str) -> Inventory:
    """Typed, checked rows from a document read by ``sources``; raises InventoryError."""
    if not isinstance(document, Located):
        raise InventoryError(
            [located(source, "le fichier doit décrire un ministère (section « ministere »)")]
        )
    check = _Checker(source)
    for key in document:
        if key not in SECTIONS:
            check.error(
                document.at(key), f"section inconnue « {key} » (attendu : {', '.join(SECTIONS)})"
            )
    ministry = check.ministry(_mapping(document, "ministere", check.errors, required=True))
    entities = check.entities(_records(document, "entites", check.errors), ministry)
    codes = check.tree(entities, ministry)
    users = check.users(_records(document, "utilisateurs", check.errors), codes)
    demarches = check.demarches(_records(document, "demarches", check.errors), codes)
    plan_start = check.plan_start(_mapping(document, "plan", check.errors, required=False))
    if check.errors or ministry is None:
        # Stable sort: a YAML file's errors in reading order, a workbook's sheet by sheet.
        raise InventoryError(
            sorted(check.errors, key=_line) or [located(source, "ministère non décrit")]
        )
    return Inventory(
        source=source,
        ministry=ministry,
        entities=_parents_first(entities),
        users=tuple(users),
        demarches=tuple(demarches),
        plan_start=plan_start,
        sections=frozenset(name for name in LIST_SECTIONS if name in document),
    )
