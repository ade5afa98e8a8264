"""Hypothesis strategies for ClusterIngresses and serving objects, well-formed and hostile.

A ClusterIngress is drawn well-formed (what a Route controller would write,
with odd but legal values: 63-character labels, quotes, braces, ``$`` and ``;``
in header values, now and then many hosts, paths and splits), then
``mutated``: up to three of its strings — values or map keys — are replaced by
something from ``nasty``: control characters (CR, LF, NUL, TAB, DEL, ESC),
quotes, braces, ``$`` and ``%`` variables, unicode, very long strings, the
empty string. About half the examples stay valid, so the backends are
exercised as much as the validation. Wire-form dicts are produced (what a
manifest or the API delivers), so the parsing boundary is fuzzed too.
"""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import strategies as st

from kingress.api.annotations import INGRESS_CLASS
from kingress.api.ingress import API_VERSION, KIND
from kingress.backends import BackendService, ServicePort, TranslateContext

NAMESPACE = "default"

#: Fragments that break naive templating, parsing or matching somewhere.
FRAGMENTS = (
    "",
    " ",
    "\r\n",
    "\n",
    "\r",
    "\x00",
    "\t",
    "\x7f",
    "\x1b[31m",
    '"',
    "'",
    "`",
    "\\",
    "{",
    "}",
    "${x}",
    "$host",
    "{{ .x }}",
    "%",
    "%HOSTNAME%",
    "%DOWNSTREAM_REMOTE_ADDRESS%",
    ";",
    "#",
    "?",
    "&",
    "<",
    ">",
    "|",
    ":",
    "/",
    "..",
    "*",
    "é",
    "ß",
    "\u2028",
    "\ufeff",
    "💥",
    "\U000e0001",
    "A",
    "x" * 300,
)

nasty = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.builds(
        lambda a, b, c: a + b + c,
        st.sampled_from(("a", "/a", "x-", "h.example.com")),
        st.sampled_from(FRAGMENTS),
        st.sampled_from(("", "b", ".com")),
    ),
    st.text(max_size=12),
)

label = st.one_of(
    st.from_regex(r"[a-z]([a-z0-9-]{0,6}[a-z0-9])?", fullmatch=True), st.just("a" * 63)
)
host = st.builds(
    lambda labels, tld: ".".join([*labels, tld]),
    st.lists(label, min_size=1, max_size=3),
    st.sampled_from(("com", "example", "dev", "io")),
)
local_host = st.builds(lambda name: f"{name}.{NAMESPACE}.svc.cluster.local", label)
path_prefix = st.one_of(
    st.just(""),
    st.from_regex(r"/[a-z0-9._~-]{0,8}(/[a-zA-Z0-9%@:+,;=!$&'()*]{0,4})?", fullmatch=True),
)
header_name = st.one_of(
    st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,12}", fullmatch=True),
    st.sampled_from(("Knative-Serving-Tag", "X_Under", "x.dot", "X-A!#$&'*+^`|~")),
)
#: Legal header values, some of them special to a gateway's configuration language.
header_value = st.one_of(
    st.from_regex(r"[A-Za-z0-9._-]{0,12}", fullmatch=True),
    st.sampled_from(('a"b', "{x}", "$host", "a;b", "a\\b", "'q'", "`b`", "a b", "!neg", "~re")),
)
service_name = st.from_regex(r"[a-z]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
service_port: st.SearchStrategy[int | str] = st.one_of(
    st.sampled_from((80, 81, 8080, 8012, 65535, "http", "http2", "h2c", "80")),
    st.sampled_from((80, 8080, "http")),
    st.integers(-1, 70000),
)


@st.composite
def percents(draw: st.DrawFn, count: int) -> list[int]:
    """``count`` percents that total 100 (0% splits included)."""
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=count - 1, max_size=count - 1)))
    bounds = [0, *cuts, 100]
    return [high - low for low, high in itertools.pairwise(bounds)]


def headers_map(values: st.SearchStrategy[Any], size: int = 3) -> st.SearchStrategy[dict[str, Any]]:
    """A small map from header names to ``values``."""
    return st.dictionaries(header_name, values, max_size=size)


@st.composite
def splits(draw: st.DrawFn, max_splits: int) -> list[dict[str, Any]]:
    """Splits of one path."""
    count = draw(st.integers(1, max_splits))
    result = []
    for percent in draw(percents(count)):
        split: dict[str, Any] = {
            "serviceNamespace": NAMESPACE,
            "serviceName": draw(service_name),
            "servicePort": draw(service_port),
            "percent": percent,
        }
        if draw(st.booleans()):
            split["appendHeaders"] = draw(headers_map(header_value))
        result.append(split)
    return result


@st.composite
def http_path(draw: st.DrawFn, max_splits: int) -> dict[str, Any]:
    """One path of a rule."""
    result: dict[str, Any] = {"splits": draw(splits(max_splits))}
    if draw(st.booleans()):
        result["path"] = draw(path_prefix)
    if draw(st.booleans()):
        result["headers"] = draw(headers_map(st.builds(lambda v: {"exact": v}, header_value)))
    if draw(st.booleans()):
        result["appendHeaders"] = draw(headers_map(header_value))
    if draw(st.integers(0, 5)) == 0:
        result["rewriteHost"] = draw(host)
    return result


@st.composite
def rule(draw: st.DrawFn, sizes: tuple[int, int, int]) -> dict[str, Any]:
    """One rule: hosts, visibility and paths (sizes: most hosts, paths, splits)."""
    max_hosts, max_paths, max_splits = sizes
    visibility = draw(st.sampled_from(("ExternalIP", "ClusterLocal")))
    hosts = local_host if visibility == "ClusterLocal" else host
    return {
        "hosts": draw(st.lists(hosts, min_size=1, max_size=max_hosts, unique=True)),
        "visibility": visibility,
        "http": {"paths": draw(st.lists(http_path(max_splits), min_size=1, max_size=max_paths))},
    }


@st.composite
def clean_ingress(draw: st.DrawFn) -> dict[str, Any]:
    """A valid ClusterIngress in wire form; one in ten is large."""
    large = draw(st.integers(0, 9)) == 0
    sizes = (30, 12, 6) if large else (3, 3, 3)
    rules = draw(st.lists(rule(sizes), min_size=1, max_size=2 if large else 3))
    spec: dict[str, Any] = {"rules": rules}
    if draw(st.booleans()):
        spec["httpOption"] = draw(st.sampled_from(("Enabled", "Redirected")))
    if draw(st.booleans()):
        external = [h for r in rules if r["visibility"] == "ExternalIP" for h in r["hosts"]]
        spec["tls"] = [
            {
                "hosts": draw(
                    st.lists(
                        st.sampled_from(external or ["x.example.com"]), max_size=3, unique=True
                    )
                ),
                "secretName": draw(st.sampled_from(("cert", "wildcard.cert"))),
                "secretNamespace": draw(st.sampled_from((NAMESPACE, "certs"))),
            }
            for _ in range(draw(st.integers(1, 2)))
        ]
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {
            "name": draw(st.sampled_from(("hello", "a" * 63, "route.with.dots"))),
            "namespace": NAMESPACE,
            "uid": "00000000-0000-0000-0000-000000000001",
            "generation": 1,
        },
        "spec": spec,
    }


def _slots(value: Any, where: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], bool]]:
    """Every string value and map key of ``value``: (path to it, whether it is a key)."""
    found: list[tuple[tuple[Any, ...], bool]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if where and where[-1] in ("headers", "appendHeaders"):
                found.append(((*where, key), True))
            found += _slots(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _slots(item, (*where, index))
    elif isinstance(value, str) and where[:1] != ("apiVersion",) and where[:1] != ("kind",):
        found.append((where, False))
    return found


def _replace(value: Any, where: tuple[Any, ...], is_key: bool, new: str) -> None:
    parent = value
    for step in where[:-1]:
        parent = parent[step]
    if is_key:
        parent[new] = parent.pop(where[-1])
    else:
        parent[where[-1]] = new


@st.composite
def cluster_ingress(draw: st.DrawFn, ingress_class: str | None = None) -> dict[str, Any]:
    """A ClusterIngress in wire form with up to three strings made hostile."""
    raw = draw(clean_ingress())
    for _ in range(draw(st.integers(0, 3))):
        where, is_key = draw(st.sampled_from(_slots(raw)))
        _replace(raw, where, is_key, draw(nasty))
    if ingress_class is not None:
        raw["metadata"]["annotations"] = {INGRESS_CLASS: ingress_class}
    return raw


@st.composite
def translate_context(draw: st.DrawFn) -> TranslateContext:
    """Services for some split names: named ports, h2c, ExternalName."""
    services = {}
    for name in draw(st.lists(service_name, max_size=3, unique=True)):
        external = draw(st.integers(0, 4)) == 0
        services[(NAMESPACE, name)] = BackendService(
            namespace=NAMESPACE,
            name=name,
            type="ExternalName" if external else "ClusterIP",
            external_name="upstream.example.com" if external else "",
            ports=(
                ServicePort(name="http", port=80, target_port=8080),
                ServicePort(name="http2", port=81, app_protocol="kubernetes.io/h2c"),
            ),
        )
    return TranslateContext(services=services)


# --- serving objects --------------------------------------------------------------------

scalar = st.one_of(nasty, st.integers(-3, 200), st.none(), st.booleans(), st.floats(allow_nan=True))
anything = st.recursive(
    scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _maybe(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(good, good, nasty)


_target = st.fixed_dictionaries(
    {},
    optional={
        "revisionName": _maybe(st.just("hello-00001")),
        "configurationName": _maybe(st.just("hello")),
        "latestRevision": st.one_of(st.booleans(), scalar),
        "percent": st.one_of(st.integers(-10, 110), scalar),
        "tag": _maybe(st.sampled_from(("canary", "v2", "a" * 60))),
    },
)
_metadata = st.fixed_dictionaries(
    {"name": _maybe(st.just("hello")), "namespace": st.just(NAMESPACE)},
    optional={
        "annotations": st.dictionaries(
            _maybe(st.just("networking.knative.dev/ingress.class")), scalar, max_size=2
        ),
        "labels": st.dictionaries(
            _maybe(st.just("networking.knative.dev/visibility")), scalar, max_size=2
        ),
    },
)
_container = st.fixed_dictionaries(
    {"image": _maybe(st.just("ghcr.io/knative/helloworld"))},
    optional={"ports": anything, "env": anything, "name": nasty, "args": anything},
)


def serving_object() -> st.SearchStrategy[Any]:
    """Routes, Services, Configurations and Revisions (v1 and v1alpha1), and junk."""
    spec = st.fixed_dictionaries(
        {},
        optional={
            "traffic": st.lists(_target, max_size=3),
            "template": st.fixed_dictionaries(
                {},
                optional={
                    "metadata": _metadata,
                    "spec": st.fixed_dictionaries(
                        {"containers": st.lists(_container, max_size=2)},
                        optional={"timeoutSeconds": scalar, "containerConcurrency": scalar},
                    ),
                },
            ),
            "runLatest": anything,
            "release": anything,
            "pinned": anything,
        },
    )
    typed = st.fixed_dictionaries(
        {
            "apiVersion": st.sampled_from(
                ("serving.knative.dev/v1", "serving.knative.dev/v1alpha1")
            ),
            "kind": st.sampled_from(("Route", "Service", "Configuration", "Revision")),
            "metadata": _metadata,
        },
        optional={"spec": spec},
    )
    return st.one_of(typed, typed, typed, anything)
