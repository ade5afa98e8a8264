"""No unvalidated string reaches NGINX, and no snippet is ever emitted.

Hypothesis throws hostile strings (quotes, ``;``, ``$``, braces, newlines,
NUL, non-ASCII...) into every user-controlled slot of a ClusterIngress. For
both translators, a translation either fails with ``TranslationError`` or
succeeds only if every input passed its validator, and then every string in
the output (keys and values) is either exactly a validated input or made by
kingress from a safe alphabet.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kingress import (
    INGRESS_CLASS,
    ClusterIngress,
    TranslateContext,
    TranslationError,
    insert_probe,
)
from kingress.api.meta import ObjectMeta
from kingress.testing import ingress, path, rule, simple_ingress, split, tls
from kingress_nginx import IngressNginxBackend, NginxBackend, validation
from kingress_nginx.ingresses import ANNOTATION_PREFIX

HOSTILE = list("\"';$`{}#\\\n\r\t\x00 !~?*<>|&%^()[]=,é\u2028\x7f") + list("abcXY019-./_:@")
#: What kingress itself writes: names, hashes, constants (space only in "Not Found").
SAFE = re.compile(r"[A-Za-z0-9._/:@-]*|Not Found")
#: Every annotation key either backend may write.
ALLOWED_ANNOTATIONS = {
    ANNOTATION_PREFIX + suffix
    for suffix in (
        "canary",
        "canary-weight",
        "canary-by-header",
        "canary-by-header-value",
        "upstream-vhost",
        "backend-protocol",
        "ssl-redirect",
        "proxy-next-upstream",
        "proxy-next-upstream-tries",
        "proxy-read-timeout",
        "proxy-send-timeout",
    )
}


SLOTS = 9


@st.composite
def hostile_ingresses(draw: st.DrawFn) -> tuple[ClusterIngress, list[tuple[str, str]]]:
    """An ingress with one slot (or none, or all) hostile, and (slot kind, value) for each.

    One hostile slot among valid ones shows that slot's check on its own; no
    hostile slot keeps successful translations frequent; all hostile mixes them.
    """
    used: list[tuple[str, str]] = []
    mode = draw(st.sampled_from(["one", "one", "one", "none", "all"]))
    bad = draw(st.integers(0, SLOTS - 1)) if mode == "one" else -1

    def take(kind: str, valid: list[str]) -> str:
        hostile = mode == "all" or len(used) == bad
        strategy = st.text(alphabet=HOSTILE, max_size=24) if hostile else st.sampled_from(valid)
        value = draw(strategy)
        used.append((kind, value))
        return value

    host = take("host", ["hello.example.com", "a.b"])
    prefix = take("path", ["", "/", "/foo", "/a/b-c"])
    match_name = take("header_name", ["X-Tag", "K-Network-Hash"])
    match_value = take("match_value", ["the-tag", "v1"])
    set_name = take("set_name", ["Foo-Bar"])
    set_value = take("set_value", ["value;{x}#1", "name"])
    rewrite = take("host", ["", "internal.default.svc.cluster.local"])
    service = take("service", ["hello", "v2"])
    secret = take("secret", ["cert", "a.b"])
    with_headers = draw(st.booleans())
    ing = ingress(
        rules=[
            rule(
                [host],
                paths=[
                    path(
                        prefix,
                        match={match_name: match_value},
                        headers={set_name: set_value} if with_headers else None,
                        rewrite_host=rewrite,
                        splits=[
                            split(service, headers={set_name: set_value} if with_headers else None)
                        ],
                    ),
                    path(splits=[split("hello")]),
                ],
            )
        ],
        tls_entries=[tls([host], secret)],
    )
    if not with_headers:
        used[:] = [(k, v) for k, v in used if k not in ("set_name", "set_value")]
    if rewrite == "":
        used.remove(("host", rewrite))
    return insert_probe(ing)[0], used


CHECKS: dict[str, Callable[[str, str], str]] = {
    "host": validation.host,
    "path": validation.path,
    "header_name": validation.header_name,
    "match_value": validation.header_match_value,
    "set_name": validation.header_set_name,
    "set_value": validation.header_set_value,
    "service": validation.service_name,
    "secret": validation.object_name,
}


def passes(kind: str, value: str) -> bool:
    try:
        CHECKS[kind](value, "test")
    except TranslationError:
        return False
    return True


def strings(node: Any) -> Iterator[str]:
    """Every string in an object tree, dict keys included."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from strings(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from strings(item)
    elif isinstance(node, str):
        yield node


def keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from keys(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from keys(item)


BACKENDS = [
    pytest.param(NginxBackend(), id="nginx"),
    pytest.param(IngressNginxBackend(), id="ingress-nginx"),
]


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=hostile_ingresses())
def test_nothing_unvalidated_passes_through(
    backend: Any, case: tuple[ClusterIngress, list[tuple[str, str]]]
) -> None:
    ing, used = case
    try:
        objects = backend.translate(ing, TranslateContext()).objects
    except TranslationError as error:
        assert not re.search(r"[\x00-\x1f\x7f\u2028]", str(error)), "raw control char in message"
        event("refused")
        return
    event("translated")
    assert all(passes(kind, value) for kind, value in used), used
    validated = {value for _, value in used}
    for text in strings(list(objects)):
        assert text in validated or SAFE.fullmatch(text), text


def test_hostile_strategy_reaches_success() -> None:
    """The property above is only meaningful if valid draws translate: check one does."""
    ing = insert_probe(
        ingress(
            rules=[
                rule(
                    ["hello.example.com"],
                    paths=[
                        path("/a/b-c", match={"X-Tag": "v1"}, splits=[split("v2")]),
                        path(splits=[split("hello")]),
                    ],
                )
            ],
            tls_entries=[tls(["hello.example.com"], "cert")],
        )
    )[0]
    assert NginxBackend().translate(ing, TranslateContext()).objects
    assert IngressNginxBackend().translate(ing, TranslateContext()).objects


def _assert_no_snippets(objects: Any) -> None:
    for key in keys(list(objects)):
        assert "snippet" not in key.lower(), key
    for obj in objects:
        annotations = obj["metadata"].get("annotations", {})
        assert set(annotations) <= ALLOWED_ANNOTATIONS, annotations


def test_no_snippet_in_the_corpus(corpus_case: Any, context: Any) -> None:
    _assert_no_snippets(NginxBackend().translate(corpus_case.ingress, context).objects)
    if corpus_case.expressible:
        _assert_no_snippets(IngressNginxBackend().translate(corpus_case.ingress, context).objects)


@pytest.mark.parametrize("backend", BACKENDS)
def test_ingress_annotations_are_never_copied(backend: Any) -> None:
    base = simple_ingress()
    annotations = {
        INGRESS_CLASS: "x",
        "nginx.ingress.kubernetes.io/configuration-snippet": "return 200 'pwned';",
        "nginx.org/server-snippets": "location / {}",
    }
    ing = base.model_copy(
        update={"metadata": ObjectMeta(name="hello", namespace="default", annotations=annotations)}
    )
    objects = backend.translate(ing, TranslateContext()).objects
    _assert_no_snippets(objects)
    assert "pwned" not in str(objects)


@pytest.mark.parametrize(
    ("check", "value", "message"),
    [
        pytest.param(
            validation.host, "Hello.example.com", "must be lowercase RFC 1123", id="upper-host"
        ),
        pytest.param(validation.host, "*.example.com", "must be lowercase RFC 1123", id="wildcard"),
        pytest.param(validation.host, "10.0.0.1", "not an IP address", id="ip-host"),
        pytest.param(
            validation.host, "a" * 64 + ".com", "must be lowercase RFC 1123", id="long-label"
        ),
        pytest.param(validation.host, "", "must not be empty", id="empty-host"),
        pytest.param(validation.header_name, "X Y", "not an RFC 7230 token", id="space-in-name"),
        pytest.param(validation.header_name, "X:Y", "not an RFC 7230 token", id="colon-in-name"),
        pytest.param(validation.header_name, "X_Y", "letters, digits and '-'", id="underscore"),
        pytest.param(validation.header_name, "X$Y", "letters, digits and '-'", id="dollar-token"),
        pytest.param(validation.header_set_value, "", "must not be empty", id="empty-value"),
        pytest.param(validation.header_set_value, "a\nb", "no control characters", id="newline"),
        pytest.param(validation.header_set_value, 'a"b', "without '\"'", id="quote"),
        pytest.param(validation.header_set_value, "$host", "'$'", id="variable"),
        pytest.param(validation.header_set_value, "a\\", "'\\'", id="backslash"),
        pytest.param(
            validation.header_set_value, " a", "must not begin or end", id="leading-space"
        ),
        pytest.param(validation.header_set_value, "é", "printable ASCII", id="non-ascii"),
        pytest.param(validation.header_set_name, "Content-Length", "not allowed", id="framing"),
        pytest.param(validation.header_set_name, "connection", "not allowed", id="hop-by-hop"),
        pytest.param(validation.path, "foo", "must start with '/'", id="relative"),
        pytest.param(validation.path, "/a b", "no whitespace", id="space"),
        pytest.param(validation.path, "/a;b", "';'", id="semicolon"),
        pytest.param(validation.path, "/a{b}", "braces", id="braces"),
        pytest.param(validation.path, "/$uri", "'$'", id="dollar"),
        pytest.param(validation.path, "/a#b", "'#'", id="hash"),
        pytest.param(validation.path, "/a'", "quotes", id="quote-path"),
        pytest.param(validation.path, "/%zz", "'%XX' escapes", id="bad-escape"),
        pytest.param(validation.service_name, "1abc", "RFC 1035", id="service-digit"),
        pytest.param(validation.object_name, "A", "RFC 1123 subdomain", id="secret-upper"),
    ],
)
def test_validators_refuse(check: Callable[[str, str], str], value: str, message: str) -> None:
    with pytest.raises(TranslationError) as raised:
        check(value, "spec.field")
    assert str(raised.value).startswith("spec.field: ")
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("check", "value"),
    [
        pytest.param(validation.host, "hello.default.svc.cluster.local", id="host"),
        pytest.param(validation.host, "123.example.com", id="numeric-label"),
        pytest.param(validation.header_name, "K-Network-Hash", id="name"),
        pytest.param(validation.header_set_value, "a;b {c} #d 'e'", id="value-punctuation"),
        pytest.param(validation.header_match_value, "", id="empty-match"),
        pytest.param(validation.path, "", id="empty-path"),
        pytest.param(validation.path, "/a/b-c_d.e~f%2F(g)*+,=:@!&", id="path-pchars"),
        pytest.param(validation.service_name, "hello-00001", id="service"),
        pytest.param(validation.object_name, "cert.example", id="secret"),
    ],
)
def test_validators_accept(check: Callable[[str, str], str], value: str) -> None:
    assert check(value, "spec.field") == value


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (80, True),
        ("80", True),
        ("http2", True),
        (0, False),
        (70000, False),
        ("a--b", False),
        ("x" * 16, False),
    ],
)
def test_service_port(value: int | str, ok: bool) -> None:
    if ok:
        validation.service_port(value, "port")
    else:
        with pytest.raises(TranslationError):
            validation.service_port(value, "port")
