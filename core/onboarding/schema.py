"""The fields of each inventory section, and how a raw value becomes a typed one."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import String

from core.identity import Demarche, Entity, User
from core.onboarding.errors import located

LIST_SEPARATOR = ";"


def _length(column: Any) -> int:
    """The declared length of a model's string column, so the inventory never outgrows it."""
    type_ = column.property.columns[0].type
    assert isinstance(type_, String) and type_.length
    return type_.length


@dataclass(frozen=True)
class Field:
    name: str  # as written in the inventory; nested keys are dotted ("cout.montant")
    kind: str  # text | int | bool | list | date
    required: bool = False
    max_length: int | None = None


SECTIONS: dict[str, tuple[Field, ...]] = {
    "ministere": (
        Field("code", "text", True, _length(Entity.code)),
        Field("nom", "text", True, _length(Entity.name)),
    ),
    "plan": (Field("debut", "date", True),),
    "entites": (
        Field("code", "text", True, _length(Entity.code)),
        Field("nom", "text", True, _length(Entity.name)),
        Field("type", "text", True),
        Field("parent", "text"),
        Field("delais.normale", "int"),
        Field("delais.urgente", "int"),
        Field("delais.tres_urgente", "int"),
    ),
    "utilisateurs": (
        Field("login", "text", True, _length(User.login)),
        Field("nom", "text", True, _length(User.name)),
        Field("email", "text", True, _length(User.email)),
        Field("entite", "text", True),
        Field("roles", "list"),
    ),
    "demarches": (
        Field("code", "text", True, _length(Demarche.code)),
        Field("titre", "text", True, _length(Demarche.title)),
        Field("entite", "text", True),
        Field("public", "list"),
        Field("description", "text"),
        Field("pieces", "list"),
        Field("etapes", "list"),
        Field("cout.montant", "int"),
        Field("cout.devise", "text", max_length=_length(Demarche.cost_currency)),
        Field("delai_jours", "int"),
        Field("en_ligne", "bool"),
        Field("url", "text", max_length=_length(Demarche.online_url)),
    ),
}


def normalize_key(key: Any) -> str:
    """``Entité`` and ``entite `` are the same key: people type accents and spaces in headers."""
    text = unicodedata.normalize("NFKD", str(key).strip().lower())
    return "".join(c for c in text if not unicodedata.combining(c)).replace(" ", "_")


class Located(dict[str, Any]):
    """A mapping read from an inventory, knowing where it and each of its keys were written."""

    def __init__(self, where: str) -> None:
        super().__init__()
        self.where = where
        self.key_where: dict[str, str] = {}
        self.duplicates: list[str] = []

    def put(self, key: str, value: Any, where: str | None = None) -> None:
        if key in self:
            self.duplicates.append(key)
        self[key] = value
        if where is not None:
            self.key_where[key] = where

    def at(self, key: str) -> str:
        return self.key_where.get(key, self.where)


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or isinstance(value, (list, dict, date)):
        raise ValueError("doit être un texte")
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number in Excel
    text = str(value).strip()
    return text or None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        raise ValueError("doit être un nombre entier")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("doit être un nombre entier")
        value = int(value)
    if isinstance(value, str):
        digits = value.strip().replace(" ", "").replace("\u202f", "").replace("\xa0", "")
        if not digits:
            return None
        if not re.fullmatch(r"-?\d+", digits):
            raise ValueError(f"doit être un nombre entier (reçu « {value} »)")
        value = int(digits)
    if not isinstance(value, int):
        raise ValueError("doit être un nombre entier")
    if value < 0:
        raise ValueError(f"doit être positif ou nul (reçu {value})")
    return value


_TRUE = {"oui", "vrai", "true", "yes", "1", "x"}
_FALSE = {"non", "faux", "false", "no", "0"}


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if not text:
        return None
    raise ValueError(f"doit valoir oui ou non (reçu « {value} »)")


def _list(value: Any) -> list[str]:
    # An Excel cell holds a list as "a; b; c"; YAML may use either form.
    items = value if isinstance(value, list) else str(value).split(LIST_SEPARATOR)
    result = []
    for item in items:
        text = _text(item)
        if text is not None:
            result.append(text)
    return result


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for parse in (date.fromisoformat, lambda t: datetime.strptime(t, "%d/%m/%Y").date()):
        try:
            return parse(text)
        except ValueError:
            continue
    raise ValueError(f"doit être une date AAAA-MM-JJ ou JJ/MM/AAAA (reçu « {value} »)")


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "text": _text,
    "int": _int,
    "bool": _bool,
    "list": _list,
    "date": _date,
}


def _flatten(
    record: Located,
    prefix: str,
    groups: dict[str, list[str]],
    out: dict[str, tuple[Any, str]],
    errors: list[str],
) -> None:
    """Nested keys become dotted names, each with the place it was written."""
    for key in record.duplicates:
        errors.append(located(record.at(key), f"clé « {prefix}{key} » répétée"))
    for name, value in record.items():
        key, where = prefix + name, record.at(name)
        if isinstance(value, Located):
            _flatten(value, key + ".", groups, out, errors)
        elif key in groups:
            errors.append(
                located(where, f"« {key} » doit regrouper les clés {', '.join(groups[key])}")
            )
        else:
            out[key] = (value, where)


def parse_record(record: Located, section: str, errors: list[str]) -> dict[str, Any]:
    """Typed values of one record by field name (None when absent); errors are appended."""
    fields = SECTIONS[section]
    groups: dict[str, list[str]] = {}
    for field in fields:
        if "." in field.name:
            group, key = field.name.split(".", 1)
            groups.setdefault(group, []).append(key)
    flat: dict[str, tuple[Any, str]] = {}
    _flatten(record, "", groups, flat, errors)
    known = {f.name for f in fields}
    for key in flat:
        if key not in known:
            errors.append(located(flat[key][1], f"clé inconnue « {key} » dans {section}"))
    values: dict[str, Any] = {}
    for field in fields:
        raw, where = flat.get(field.name, (None, record.where))
        value = None
        if raw is not None:
            try:
                value = CONVERTERS[field.kind](raw)
            except ValueError as exc:
                errors.append(located(where, f"« {field.name} » {exc}"))
                values[field.name] = None
                continue
        if value is None or value == []:
            if field.required:
                errors.append(located(where, f"champ obligatoire « {field.name} » manquant"))
        elif field.max_length and len(value) > field.max_length:
            errors.append(located(where, f"« {field.name} » dépasse {field.max_length} caractères"))
        values[field.name] = value
    return values
