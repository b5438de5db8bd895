"""The OpenAPI 3.1 document of the JSON API, built from the routes and what each view declares."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, TypeVar

from flask import Flask

F = TypeVar("F", bound=Callable[..., Any])

API_PREFIX = "/api/v1"
_ATTRIBUTE = "__openapi__"
# Werkzeug's rule syntax: <variable>, <converter:variable> or <converter(args):variable>.
_RULE_VARIABLE = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
_CONVERTER_SCHEMAS: dict[str, dict[str, Any]] = {
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "uuid": {"type": "string", "format": "uuid"},
}
ERROR_DESCRIPTIONS = {
    400: "Requête invalide.",
    401: "Jeton d'API absent, invalide ou révoqué.",
    403: "Droits insuffisants pour cette entité.",
    404: "Objet introuvable.",
    409: "Conflit avec l'état actuel.",
}


class UndocumentedRoute(LookupError):
    """A route of the API has no ``@operation``: the document would lie by omission."""


@dataclass(frozen=True)
class Schema:
    """A named JSON schema, published under ``components/schemas``."""

    name: str
    body: dict[str, Any]

    def ref(self) -> dict[str, Any]:
        return {"$ref": f"#/components/schemas/{self.name}"}


def strict_object(properties: dict[str, Any]) -> dict[str, Any]:
    """The schema of an object with exactly these properties, all present."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


@dataclass(frozen=True)
class ArrayOf:
    """A response that is a JSON array of one named schema."""

    item: Schema


@dataclass(frozen=True)
class Param:
    """A query parameter, or the description of a path variable when the names match."""

    name: str
    description: str
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})
    required: bool = False


Body = Schema | ArrayOf


@dataclass(frozen=True)
class Operation:
    """What a view says of itself; the rest comes from its rule and its docstring."""

    responses: Mapping[int, Body]
    params: tuple[Param, ...] = ()
    errors: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    public: bool = False


def operation(
    responses: Mapping[int, Body],
    params: Iterable[Param] = (),
    errors: Iterable[int] = (),
    tags: Iterable[str] = (),
    public: bool = False,
) -> Callable[[F], F]:
    """Record a view's documentation; its summary is the first line of its docstring.

    Args:
        responses: the success statuses and the schema of their JSON body.
        params: the query parameters, and descriptions of the path variables.
        errors: the error statuses the view may answer (401 is added unless ``public``).
        tags: the groups the operation is listed under.
        public: no bearer token is needed.
    """
    recorded = Operation(dict(responses), tuple(params), tuple(errors), tuple(tags), public)

    def decorate(view: F) -> F:
        setattr(view, _ATTRIBUTE, recorded)
        return view

    return decorate


def operation_of(view: Callable[..., Any]) -> Operation | None:
    return getattr(view, _ATTRIBUTE, None)


ERROR = Schema(
    "Erreur",
    {
        "type": "object",
        "properties": {"error": {"type": "string", "description": "Le problème, en une phrase."}},
        "required": ["error"],
    },
)


def _body_schema(body: Body, components: dict[str, Any]) -> dict[str, Any]:
    schema = body.item if isinstance(body, ArrayOf) else body
    components[schema.name] = schema.body
    ref = schema.ref()
    return {"type": "array", "items": ref} if isinstance(body, ArrayOf) else ref


def _json_response(description: str, body: Body, components: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _body_schema(body, components)}},
    }


def _parameters(rule: str, declared: tuple[Param, ...]) -> tuple[str, list[dict[str, Any]]]:
    """The OpenAPI path of a Werkzeug rule, with its path then its query parameters."""
    by_name = {param.name: param for param in declared}
    parameters: list[dict[str, Any]] = []
    for match in _RULE_VARIABLE.finditer(rule):
        name = match["name"]
        described = by_name.pop(name, None)
        parameters.append({
            "name": name,
            "in": "path",
            "required": True,
            "description": described.description if described else name,
            "schema": _CONVERTER_SCHEMAS.get(match["converter"] or "", {"type": "string"}),
        })
    for param in by_name.values():
        parameters.append({
            "name": param.name,
            "in": "query",
            "required": param.required,
            "description": param.description,
            "schema": param.schema,
        })
    return _RULE_VARIABLE.sub(r"{\g<name>}", rule), parameters


def _operation_object(
    operation_id: str, view: Callable[..., Any], op: Operation, parameters: list[dict[str, Any]],
    components: dict[str, Any],
) -> dict[str, Any]:
    doc = inspect.cleandoc(view.__doc__ or "")
    summary, _, description = doc.partition("\n")
    if not summary:
        raise UndocumentedRoute(f"{operation_id}: the view has no docstring to summarise it")
    responses = {
        str(status): _json_response("Succès.", body, components)
        for status, body in op.responses.items()
    }
    errors = set(op.errors) if op.public else {401, *op.errors}
    for status in sorted(errors):
        meaning = ERROR_DESCRIPTIONS.get(status, "Erreur.")
        responses[str(status)] = _json_response(meaning, ERROR, components)
    result: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary.strip(),
        "responses": responses,
    }
    if description.strip():
        result["description"] = description.strip()
    if op.tags:
        result["tags"] = list(op.tags)
    if parameters:
        result["parameters"] = parameters
    if op.public:
        result["security"] = []  # overrides the document-wide bearer requirement
    return result


def api_rules(app: Flask, prefix: str = API_PREFIX) -> list[Any]:
    """The URL rules of the API, in a stable order."""
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(prefix + "/")]
    return sorted(rules, key=lambda rule: rule.rule)


def build_document(app: Flask, prefix: str = API_PREFIX, title: str = "API ATD") -> dict[str, Any]:
    """The OpenAPI 3.1 document of every route under ``prefix``.

    Raises:
        UndocumentedRoute: a route's view has no ``@operation`` or no docstring.
    """
    paths: dict[str, dict[str, Any]] = {}
    components: dict[str, Any] = {}
    for rule in api_rules(app, prefix):
        view = app.view_functions[rule.endpoint]
        op = operation_of(view)
        if op is None:
            raise UndocumentedRoute(f"{rule.endpoint} ({rule.rule}) has no @operation")
        path, parameters = _parameters(rule.rule, op.params)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation_object(
                f"{rule.endpoint}.{method.lower()}", view, op, parameters, components
            )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": _version(),
            "description": "API JSON de la boîte à outils de dématérialisation. Authentification : "
            "en-tête `Authorization: Bearer <jeton>` (jeton créé par `atd token create LOGIN`).",
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


def _version() -> str:
    try:
        return metadata.version("atd-toolkit")
    except metadata.PackageNotFoundError:  # running from a checkout that was never installed
        return "0.0.0"
