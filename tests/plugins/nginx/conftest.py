"""Shared ingresses, contexts and backends for the NGINX backend tests.

``CORPUS`` is a broad set of ClusterIngresses, probe paths inserted as the core
does, exercising every feature; tests that take a ``corpus_case`` argument run
once per entry. ``EXPRESSIBLE`` is the part ingress-nginx can translate.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from kingress import (
    BackendService,
    ClusterIngress,
    TranslateContext,
    Visibility,
    insert_probe,
)
from kingress.testing import backend_service, ingress, path, rule, split, tls
from kingress_nginx import IngressNginxBackend, NginxBackend


def services(*extra: BackendService) -> dict[tuple[str, str], BackendService]:
    """The Services every corpus ingress may point at."""
    known = [backend_service(name) for name in ("hello", "v1", "v2", "v3", "v4", "other", "grpc")]
    return {(s.namespace, s.name): s for s in (*known, *extra)}


CONTEXT = TranslateContext(services=services())


def probed(ing: ClusterIngress) -> ClusterIngress:
    """The ingress as a backend receives it: probe paths inserted by the core."""
    return insert_probe(ing)[0]


@dataclass(frozen=True)
class Case:
    """One corpus entry: an ingress and whether ingress-nginx can express it."""

    id: str
    ingress: ClusterIngress
    expressible: bool = True


def _cases() -> list[Case]:
    host = "hello.example.com"
    local = "hello.default.svc.cluster.local"
    return [
        Case("basics", ingress(rules=[rule([host], paths=[path(splits=[split("hello")])])])),
        Case(
            "multiple-hosts",
            ingress(
                rules=[
                    rule(
                        [host, "a.example.com", "a-very.long.multi-label.example.com"],
                        paths=[path(splits=[split("hello")])],
                    )
                ]
            ),
        ),
        Case(
            "host-dispatch",
            ingress(
                rules=[
                    rule(["a.example.com"], paths=[path(splits=[split("v1")])]),
                    rule(["b.example.com"], paths=[path(splits=[split("v2")])]),
                ]
            ),
        ),
        Case(
            "paths",
            ingress(
                rules=[
                    rule(
                        [host],
                        paths=[
                            path("/foo", splits=[split("v1")]),
                            path("/bar", splits=[split("v2")]),
                            path("/baz", splits=[split("v3")]),
                            path(splits=[split("v4")]),
                        ],
                    )
                ]
            ),
        ),
        Case(
            "two-way",
            ingress(rules=[rule([host], paths=[path(splits=[split("v1", 30), split("v2", 70)])])]),
        ),
        Case(
            "path-and-percentage",
            ingress(
                rules=[
                    rule(
                        [host],
                        paths=[
                            path("/foo", splits=[split("v1", 50), split("v2", 50)]),
                            path(splits=[split("other")]),
                        ],
                    )
                ]
            ),
        ),
        Case(
            "zero-percent",
            ingress(rules=[rule([host], paths=[path(splits=[split("v1", 100), split("v2", 0)])])]),
        ),
        Case(
            "percentages",
            ingress(
                rules=[
                    rule(
                        [host],
                        paths=[
                            path(
                                splits=[
                                    split(f"v{i % 4 + 1}", p, port=80 + i)
                                    for i, p in enumerate([1, 2, 4, 8, 16, 32, 37, 0, 0, 0])
                                ]
                            )
                        ],
                    )
                ]
            ),
            expressible=False,
        ),
        Case(
            "post-split",
            ingress(
                rules=[
                    rule(
                        [host],
                        paths=[
                            path(
                                splits=[
                                    split(f"v{i}", 25, headers={"Foo": f"value-{i}"})
                                    for i in range(1, 5)
                                ]
                            )
                        ],
                    )
                ]
            ),
            expressible=False,
        ),
        Case(
            "pre-split",
            ingress(
                rules=[
                    rule(
                        [host], paths=[path(headers={"Foo-Bar-Baz": "name"}, splits=[split("v1")])]
                    )
                ]
            ),
            expressible=False,
        ),
        Case(
            "tags",
            ingress(
                rules=[
                    rule(
                        [host],
                        paths=[
                            path(match={"Knative-Serving-Tag": "the-tag"}, splits=[split("v1")]),
                            path(splits=[split("v2")]),
                        ],
                    )
                ]
            ),
        ),
        Case(
            "multiple-header-match",
            ingress(
                rules=[
                    rule(
                        [host],
                        paths=[
                            path(match={"X-A": "1", "X-B": "2"}, splits=[split("v1")]),
                            path(splits=[split("v2")]),
                        ],
                    )
                ]
            ),
            expressible=False,
        ),
        Case(
            "host-rewrite",
            ingress(
                rules=[
                    rule(
                        ["vanity.example.com"],
                        paths=[path(rewrite_host=local, splits=[split("hello")])],
                    )
                ]
            ),
        ),
        Case(
            "cluster-local",
            ingress(
                rules=[
                    rule(
                        [local],
                        visibility=Visibility.CLUSTER_LOCAL,
                        paths=[path(splits=[split("v1", 50), split("v2", 50)])],
                    )
                ]
            ),
        ),
        Case(
            "public-and-local",
            ingress(
                rules=[
                    rule([host], paths=[path(splits=[split("hello")])]),
                    rule(
                        [local],
                        visibility=Visibility.CLUSTER_LOCAL,
                        paths=[path(splits=[split("hello")])],
                    ),
                ]
            ),
        ),
        Case(
            "h2c",
            ingress(rules=[rule([host], paths=[path(splits=[split("grpc", port=81)])])]),
        ),
        Case(
            "h2c-split",
            ingress(
                rules=[
                    rule(
                        [host],
                        paths=[path(splits=[split("v1", 50, port=81), split("v2", 50, port=81)])],
                    )
                ]
            ),
        ),
        Case(
            "named-port",
            ingress(rules=[rule([host], paths=[path(splits=[split("hello", port="http2")])])]),
        ),
        Case(
            "tls-enabled",
            ingress(
                rules=[rule([host], paths=[path(splits=[split("hello")])])],
                tls_entries=[tls([host], "hello-cert")],
                http_option="Enabled",
            ),
        ),
        Case(
            "tls-redirected",
            ingress(
                rules=[rule([host], paths=[path(splits=[split("hello")])])],
                tls_entries=[tls([host], "hello-cert")],
                http_option="Redirected",
            ),
        ),
        Case(
            "header-only-subpath",
            ingress(
                rules=[
                    rule(
                        [host],
                        paths=[
                            path("/api", match={"X-Version": "2"}, splits=[split("v2")]),
                            path(splits=[split("v1")]),
                        ],
                    )
                ]
            ),
        ),
    ]


CORPUS = [Case(c.id, probed(c.ingress), c.expressible) for c in _cases()]
EXPRESSIBLE = [c for c in CORPUS if c.expressible]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``corpus_case`` / ``expressible_case`` over the corpus."""
    if "corpus_case" in metafunc.fixturenames:
        metafunc.parametrize("corpus_case", CORPUS, ids=[c.id for c in CORPUS])
    if "expressible_case" in metafunc.fixturenames:
        metafunc.parametrize("expressible_case", EXPRESSIBLE, ids=[c.id for c in EXPRESSIBLE])


@pytest.fixture
def nginx() -> NginxBackend:
    """The VirtualServer backend."""
    return NginxBackend()


@pytest.fixture
def ingress_nginx() -> IngressNginxBackend:
    """The legacy ingress-nginx backend."""
    return IngressNginxBackend()


@pytest.fixture
def context() -> TranslateContext:
    """A context knowing the corpus's Services."""
    return CONTEXT
