"""A small, safe evaluator for the Go-template subset Knative's host templates use.

``config-network``'s ``domain-template`` and ``tag-template`` are Go
``text/template`` strings. kingress never evaluates arbitrary code: it parses
exactly this subset and rejects everything else with a clear message.

- text, copied as is;
- ``{{.Field}}`` — a value of the template (``.Name``, ``.Namespace``,
  ``.Domain`` for domains; ``.Name``, ``.Tag`` for tags);
- ``{{index .Annotations "key"}}`` / ``{{index .Labels "key"}}`` — a map value,
  empty when the key is absent (as Go's ``index`` on a map);
- Go's trim markers: ``{{- `` drops the whitespace before the action, `` -}}``
  the whitespace after it.

Which fields and maps exist is fixed when the template is parsed, so a
template naming an unknown field fails when the configuration is loaded, as
Knative's check of the template does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

_ACTION = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_FIELD = re.compile(r"^\.([A-Za-z_][A-Za-z0-9_]*)$")
_INDEX = re.compile(r'^index\s+\.([A-Za-z_][A-Za-z0-9_]*)\s+("(?:[^"\\]|\\.)*"|`[^`]*`)$')


class TemplateError(ValueError):
    """The template uses something outside the supported subset, or is malformed."""


@dataclass(frozen=True, slots=True)
class _Text:
    text: str


@dataclass(frozen=True, slots=True)
class _Field:
    name: str


@dataclass(frozen=True, slots=True)
class _Index:
    map_name: str
    key: str


_Part = _Text | _Field | _Index


@dataclass(frozen=True, slots=True)
class Template:
    """A parsed template: its source and the parts it renders."""

    source: str
    parts: tuple[_Part, ...]

    def render(
        self, fields: Mapping[str, str], maps: Mapping[str, Mapping[str, str]] | None = None
    ) -> str:
        """The template's text with every action replaced by its value."""
        maps = maps or {}
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, _Text):
                out.append(part.text)
            elif isinstance(part, _Field):
                out.append(fields.get(part.name, ""))
            else:
                out.append(maps.get(part.map_name, {}).get(part.key, ""))
        return "".join(out)


def parse_template(source: str, *, fields: frozenset[str], maps: frozenset[str]) -> Template:
    """Parse ``source``; ``fields`` and ``maps`` name what ``.X`` may refer to."""
    parts: list[_Part] = []
    position = 0
    trim_next = False
    for match in _ACTION.finditer(source):
        text = source[position : match.start()]
        body = match.group(1)
        if body.startswith("-") and body[1:2].isspace():
            text = text.rstrip()
            body = body[2:]
        if trim_next:
            text = text.lstrip()
        trim_next = False
        if body.endswith("-") and body[-2:-1].isspace():
            trim_next = True
            body = body[:-2]
        if text:
            parts.append(_Text(text))
        parts.append(_parse_action(body.strip(), match.group(0), fields, maps))
        position = match.end()
    rest = source[position:]
    if "{{" in rest:
        raise TemplateError(f"unclosed action in template {source!r}")
    if trim_next:
        rest = rest.lstrip()
    if rest:
        parts.append(_Text(rest))
    return Template(source, tuple(parts))


def _parse_action(
    body: str, action: str, fields: frozenset[str], maps: frozenset[str]
) -> _Field | _Index:
    forms = [f"{{{{.{name}}}}}" for name in sorted(fields)]
    forms += [f'{{{{index .{name} "key"}}}}' for name in sorted(maps)]
    supported = ", ".join(forms)
    field = _FIELD.match(body)
    if field is not None:
        if field.group(1) not in fields:
            raise TemplateError(
                f"unknown field .{field.group(1)} in {action}; this template supports {supported}"
            )
        return _Field(field.group(1))
    index = _INDEX.match(body)
    if index is not None:
        if index.group(1) not in maps:
            raise TemplateError(
                f"unknown map .{index.group(1)} in {action}; this template supports {supported}"
            )
        literal = index.group(2)
        return _Index(index.group(1), _string_literal(literal, action))
    raise TemplateError(f"unsupported template action {action}; this template supports {supported}")


def _string_literal(literal: str, action: str) -> str:
    if literal.startswith("`"):
        return literal[1:-1]
    try:
        value = json.loads(literal)
    except ValueError as error:
        raise TemplateError(f"bad string {literal} in {action}: {error}") from error
    if not isinstance(value, str):  # pragma: no cover - the regex only matches strings
        raise TemplateError(f"bad string {literal} in {action}")
    return value
