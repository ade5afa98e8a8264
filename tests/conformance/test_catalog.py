"""The catalog: Knative's 25 keys plus the contract's own, found by walking the package."""

from __future__ import annotations

import pytest

from kingress_conformance.case import Case
from kingress_conformance.catalog import CatalogError, all_cases, case_keys, module_name, select
from kingress_conformance.checks import (
    ClassChange,
    GrpcPing,
    NoRetry,
    NoTimeout,
    ProbeHash,
    Routes,
    Unchanged,
    Update,
    WebsocketEcho,
)

KNATIVE = {
    "basics", "basics/http2", "grpc", "grpc/split", "headers/pre-split", "headers/post-split",
    "headers/probe", "hosts/multiple", "dispatch/path", "dispatch/percentage",
    "dispatch/path_and_percentage", "dispatch/rule", "retry", "timeout", "tls", "update",
    "visibility", "visibility/split", "visibility/path", "ingressclass", "websocket",
    "websocket/split", "host-rewrite", "headers/tags", "httpoption",
}  # fmt: skip
CONTRACT = {
    "contract/path-precedence",
    "contract/header-match-split",
    "contract/many-hosts",
    "contract/class-change",
}


def test_keys_are_knatives_and_the_contracts() -> None:
    assert set(case_keys()) == KNATIVE | CONTRACT
    assert len(case_keys()) == len(KNATIVE) + len(CONTRACT)


def test_module_names_follow_keys() -> None:
    assert module_name("dispatch/path_and_percentage") == "dispatch_path_and_percentage"
    assert module_name("host-rewrite") == "host_rewrite"


def _backends_named(case: Case) -> set[str]:
    names: set[str] = set()
    for check in case.checks:
        if isinstance(check, Routes):
            names |= {s.backend for s in check.to}
        elif isinstance(check, NoRetry | NoTimeout | ProbeHash | ClassChange):
            names.add(check.backend)
        elif isinstance(check, WebsocketEcho | GrpcPing):
            names |= set(check.backends)
        elif isinstance(check, Update):
            names |= {v.expect.backend for v in check.versions}
    return names


@pytest.mark.parametrize("case", all_cases(), ids=lambda c: c.key)
def test_case_refers_only_to_what_it_defines(case: Case) -> None:
    for name in _backends_named(case):
        case.service(name)
    for check in case.checks:
        if isinstance(check, Unchanged | ProbeHash | ClassChange):
            case.ingress(check.ingress)
    assert case.features, "every case needs at least one feature"
    assert case.description


def test_select_rejects_unknown_keys() -> None:
    with pytest.raises(CatalogError, match="nonsense"):
        select(("basics", "nonsense"))
    assert [c.key for c in select(("basics",))] == ["basics"]
