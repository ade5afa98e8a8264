"""Object names: readable when short, hashed and within Kubernetes/Istio limits when long."""

from __future__ import annotations

import re

import pytest

from kingress_istio import names

DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


@pytest.mark.parametrize(
    ("ingress", "want_ingress", "want_mesh", "want_tls"),
    [
        pytest.param("hello", "hello-ingress", "hello-mesh", "hello-tls", id="short"),
        pytest.param(
            "hello.example", "hello.example-ingress", "hello.example-mesh", None, id="dotted"
        ),
        pytest.param("a" * 60, "a" * 60 + "-ingress", "a" * 60 + "-mesh", None, id="long-label"),
        pytest.param("b" * 253, None, None, None, id="longest-name"),
    ],
)
def test_names(
    ingress: str, want_ingress: str | None, want_mesh: str | None, want_tls: str | None
) -> None:
    got = {
        "ingress": names.ingress_virtual_service(ingress),
        "mesh": names.mesh_virtual_service(ingress),
        "tls": names.tls_gateway(ingress),
    }
    for kind, want in (("ingress", want_ingress), ("mesh", want_mesh), ("tls", want_tls)):
        if want is not None:
            assert got[kind] == want
    assert len(got["ingress"]) <= 253 and DNS_SUBDOMAIN.fullmatch(got["ingress"])
    assert len(got["mesh"]) <= 253 and DNS_SUBDOMAIN.fullmatch(got["mesh"])
    assert len(got["tls"]) <= 63 and DNS_LABEL.fullmatch(got["tls"])
    assert got["ingress"].endswith("-ingress") and got["mesh"].endswith("-mesh")
    assert got["tls"].endswith("-tls")


def test_shortened_names_differ_for_different_ingresses() -> None:
    one, two = "x" * 250 + "a", "x" * 250 + "b"
    assert names.ingress_virtual_service(one) != names.ingress_virtual_service(two)
    assert names.tls_gateway("a.b") != names.tls_gateway("a-b")
    assert names.tls_gateway(one) != names.tls_gateway(two)


def test_names_are_stable() -> None:
    assert names.tls_gateway("x" * 80) == names.tls_gateway("x" * 80)
    assert names.child_name("p" * 300, "s") == names.child_name("p" * 300, "s")
