"""Reading an inventory file, YAML or Excel, into mappings that remember where they were written."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from core.onboarding.errors import InventoryError, located
from core.onboarding.schema import SECTIONS, Located, normalize_key

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
YAML_SUFFIXES = (".yaml", ".yml")
# Sheets with a header row, in the order people fill them in.
ROW_SHEETS = ("entites", "utilisateurs", "demarches")
MINISTRY_SHEET = "ministere"

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):
    """A safe loader whose mappings are ``Located``, with the line of each key."""

    display_name = "inventaire"


def _construct_located(loader: _Loader, node: yaml.MappingNode) -> Iterator[Located]:
    data = Located(f"{loader.display_name}:{node.start_mark.line + 1}")
    yield data  # yielded empty first so that anchors pointing back at it still resolve
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=False)
        value = loader.construct_object(value_node, deep=False)
        data.put(normalize_key(key), value, f"{loader.display_name}:{key_node.start_mark.line + 1}")


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_located)


# PyYAML explains in English; the usual slips get a French hint, the rest keep the original.
YAML_HINTS = {
    "end of stream": "guillemet ou crochet non fermé",
    "mapping values are not allowed": "« : » inattendu, mettez la valeur entre guillemets",
    "cannot start any token": "caractère interdit (une tabulation ? indentez avec des espaces)",
    "expected <block end>": "indentation incohérente",
    "did not find expected key": "indentation incohérente",
    "could not find expected ':'": "« : » manquant après une clé",
}


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or exc.context or "syntaxe incorrecte"
    hint = next((text for key, text in YAML_HINTS.items() if key in problem), None)
    return f"{hint} ({problem})" if hint else problem


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InventoryError(
            [located(path.name, f"le fichier n'est pas encodé en UTF-8 ({exc.reason})")]
        ) from None
    loader = _Loader(text)
    loader.display_name = path.name
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        # An unclosed quote or bracket is only noticed at the end of the file: point at its start.
        at_end = "end of stream" in (exc.problem or "")
        mark = (exc.context_mark if at_end else None) or exc.problem_mark or exc.context_mark
        where = f"{path.name}:{mark.line + 1}" if mark else path.name
        raise InventoryError([located(where, f"YAML invalide : {_yaml_problem(exc)}")]) from None
    except yaml.YAMLError as exc:
        raise InventoryError([located(path.name, f"YAML invalide ({exc})")]) from None
    finally:
        loader.dispose()


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _rows(sheet: Any) -> Iterator[tuple[int, list[Any]]]:
    """Non-empty rows with their spreadsheet number (the header is row 1)."""
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_cell(value) for value in row]
        if any(value is not None for value in cells):
            yield number, cells


def _header(
    sheet: Any, where: str, known: set[str], required: list[str], errors: list[str]
) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    rows = _rows(sheet)
    first = next(rows, None)
    header = [normalize_key(v) if v is not None else "" for v in (first[1] if first else [])]
    for name in required:
        if name not in header:
            errors.append(located(where, f"colonne obligatoire « {name} » absente"))
    for name in header:
        if name and name not in known:
            errors.append(located(where, f"colonne inconnue « {name} »"))
    return header, rows


def _ministry_sheet(sheet: Any, where: str, errors: list[str]) -> tuple[Located, Located | None]:
    header, rows = _header(sheet, where, {"cle", "valeur"}, ["cle", "valeur"], errors)
    ministry, plan = Located(where), None
    if errors:
        return ministry, plan
    key_col, value_col = header.index("cle"), header.index("valeur")
    for number, cells in rows:
        key = normalize_key(cells[key_col]) if cells[key_col] is not None else ""
        value = cells[value_col] if value_col < len(cells) else None
        row_where = f"{where}, ligne {number}"
        if key.startswith("plan."):
            plan = plan or Located(row_where)
            plan.put(key.split(".", 1)[1], value, row_where)
        elif key:
            ministry.put(key, value, row_where)
    return ministry, plan


def _row_sheet(sheet: Any, name: str, where: str, errors: list[str]) -> list[Located]:
    fields = SECTIONS[name]
    header, rows = _header(
        sheet, where, {f.name for f in fields}, [f.name for f in fields if f.required], errors
    )
    records = []
    for number, cells in rows:
        record = Located(f"{where}, ligne {number}")
        for column, value in zip(header, cells, strict=False):
            if column and value is not None:
                record.put(column, value)
        records.append(record)
    return records


def read_excel(path: Path) -> Located:
    """The workbook as the YAML document it stands for; sheet-level errors stop the reading."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InventoryError([located(path.name, f"classeur Excel illisible ({exc})")]) from None
    try:
        sheets = {normalize_key(title): workbook[title] for title in workbook.sheetnames}
        errors: list[str] = []
        document = Located(path.name)
        if MINISTRY_SHEET not in sheets:
            errors.append(located(path.name, f"feuille « {MINISTRY_SHEET} » absente"))
        else:
            where = f"{path.name}, feuille {MINISTRY_SHEET}"
            ministry, plan = _ministry_sheet(sheets[MINISTRY_SHEET], where, errors)
            document.put("ministere", ministry, where)
            if plan is not None:
                document.put("plan", plan, plan.where)
        for name in ROW_SHEETS:
            if name in sheets:
                where = f"{path.name}, feuille {name}"
                document.put(name, _row_sheet(sheets[name], name, where, errors), where)
    finally:
        workbook.close()
    if errors:
        raise InventoryError(errors)
    return document


def read_document(path: Path) -> Any:
    """The inventory's content, dispatched on the file's extension."""
    if not path.is_file():
        raise InventoryError([located(str(path), "fichier introuvable")])
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return read_excel(path)
    if suffix in YAML_SUFFIXES:
        return read_yaml(path)
    raise InventoryError(
        [located(path.name, "format inconnu : un fichier .yaml ou .xlsx est attendu")]
    )
