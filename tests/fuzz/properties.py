"""What every backend's handling of any ClusterIngress must satisfy, as plain assertions.

``check_ingress`` takes a wire-form ClusterIngress and asserts:

1. the core either refuses it with a validation error (Knative's or
   kingress's, never another exception type) or accepts it, and an accepted
   ingress holds only strings the core's syntax rules allow — checked here
   with an independent, simpler oracle (printable ASCII, lowercase hosts,
   ``/``-paths);
2. every installed backend either raises ``TranslationError`` naming a field,
   or returns output that passes the core's output rules, is deterministic
   (twice, and with every input map reversed), carries no control or
   non-ASCII character anywhere, mentions every host, path, header and
   service of the input (nothing silently dropped), and gets a ``Readiness``
   from ``check_ready``;
3. with ``schema`` given, every object validates against its schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pydantic

from kingress.api.fielderrors import ValidationError
from kingress.api.ingress import ClusterIngress, HTTPIngressPath, IngressRule
from kingress.backends import Backend, Readiness, TranslateContext, TranslationError
from kingress.contract import reordered
from kingress.features import Feature
from kingress.ingress.output import Placement, checked_objects
from kingress.ingress.pipeline import Prepared, prepare
from kingress.ingress.routing import ordered_paths
from kingress.plugin.manager import build_registry

BACKENDS: tuple[Backend, ...] = tuple(entry.backend for entry in build_registry().entries())

_PRINTABLE = re.compile(r"[\x20-\x7e]*")
_OUTPUT = re.compile(r"[\x20-\x7e\n]*")
_HOST = re.compile(r"[a-z0-9.-]+")
_FIELD = re.compile(r"spec\.|metadata\.|config-")

Schema = Callable[[dict[str, Any]], list[str]]


@dataclass
class Outcome:
    """What happened to one ingress: refused, or translated (or refused) per backend."""

    invalid: str | None = None
    translated: dict[str, bool] = field(default_factory=dict)


def strings(value: object) -> Iterator[str]:
    """Every string in a JSON-like value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(key)
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def check_ingress(
    raw: dict[str, Any], context: TranslateContext, schema: Schema | None = None
) -> Outcome:
    """Assert every property for ``raw`` on every backend; say what happened."""
    try:
        prepared = prepare(ClusterIngress.from_dict(raw))
    except (ValidationError, pydantic.ValidationError) as error:
        assert str(error), "a refusal must say why"
        return Outcome(invalid=str(error))
    check_accepted(prepared)
    outcome = Outcome()
    for backend in BACKENDS:
        outcome.translated[backend.name] = check_backend(backend, prepared, context, schema)
    return outcome


def check_accepted(prepared: Prepared) -> None:
    """An accepted ingress carries only strings the syntax rules allow (independent oracle)."""
    spec = prepared.ingress.spec.to_dict()
    for text in strings(spec):
        assert _PRINTABLE.fullmatch(text), f"accepted a non-printable string {text!r}"
    for rule in prepared.ingress.spec.rules:
        assert rule.hosts, "accepted a rule without hosts"
        for host in rule.hosts:
            assert _HOST.fullmatch(host) and len(host) <= 253, f"accepted host {host!r}"
        for path in rule.http.paths if rule.http else ():
            assert path.path in ("",) or path.path.startswith("/"), f"accepted path {path.path!r}"
            assert " " not in path.path
            for value in (
                *path.append_headers.values(),
                *(s for sp in path.splits for s in sp.append_headers.values()),
            ):
                assert "%" not in value, f"accepted a header value with '%': {value!r}"


def check_backend(
    backend: Backend, prepared: Prepared, context: TranslateContext, schema: Schema | None
) -> bool:
    """Every property of one backend's translation; whether it translated."""
    try:
        first = backend.translate(prepared.probed, context)
    except TranslationError as error:
        message = str(error)
        assert _FIELD.search(message), f"{backend.name}: error names no field: {message!r}"
        return False
    # As if the administrator shared every namespace the TLS entries name (what
    # is not shared is refused by the controller, tested on its own).
    shared = frozenset(entry.secret_namespace for entry in prepared.ingress.spec.tls)
    placement = Placement.of(backend, prepared.ingress, shared)
    problems, objects = checked_objects(first, prepared.ingress, placement)
    assert problems == [], f"{backend.name}: {problems}"
    again = backend.translate(prepared.probed, context)
    assert again == first, f"{backend.name}: two translations differ"
    shuffled = backend.translate(reordered(prepared.probed), context)
    assert shuffled == first, f"{backend.name}: translation depends on map order"
    output = list(strings(list(objects)))
    for text in output:
        assert _OUTPUT.fullmatch(text), f"{backend.name}: emitted {text!r}"
    for wanted in inputs(
        prepared.probed if Feature.PROBE in backend.features else prepared.ingress
    ):
        assert any(wanted.lower() in text.lower() for text in output), (
            f"{backend.name}: {wanted!r} from the input is missing from the output"
        )
    verdict = backend.check_ready(prepared.probed, objects)
    assert isinstance(verdict, Readiness), f"{backend.name}: check_ready gave {verdict!r}"
    if schema is not None:
        for obj in objects:
            assert schema(obj) == [], f"{backend.name}: {obj['kind']} {schema(obj)}"
    return True


def reachable(rule: IngressRule) -> list[HTTPIngressPath]:
    """The paths of ``rule`` no earlier path shadows: in precedence order, first of each match."""
    seen: set[tuple[str, frozenset[tuple[str, str]]]] = set()
    result = []
    for path in ordered_paths(rule):
        # "" (every path) matches exactly what "/" matches.
        prefix = path.path or "/"
        match = (prefix, frozenset((k.lower(), v.exact) for k, v in path.headers.items()))
        if match not in seen:
            seen.add(match)
            result.append(path)
    return result


def inputs(ingress: ClusterIngress) -> set[str]:
    """The strings of the input that must reach a gateway: hosts, paths, headers, services.

    A backend that does not claim ``probe`` may leave the probe paths out (its
    doc says how it is probed instead), so pass it the ingress without them. A
    path that an earlier one (in the neutral precedence) matches exactly like
    is unreachable, and so is a rule whose every host an earlier rule names
    (the first rule naming a host wins): a backend may leave them out too.
    """
    found: set[str] = set()
    named: set[str] = set()
    for rule in ingress.spec.rules:
        found.update(rule.hosts)
        if set(rule.hosts) <= named:
            continue
        named.update(rule.hosts)
        for path in reachable(rule):
            found.update((path.path, path.rewrite_host))
            found.update(path.headers)
            found.update(match.exact for match in path.headers.values())
            found.update(path.append_headers)
            found.update(path.append_headers.values())
            for split in path.splits:
                if split.percent > 0:
                    found.add(split.service_name)
                    found.update(split.append_headers)
                    found.update(split.append_headers.values())
    return found - {""}
