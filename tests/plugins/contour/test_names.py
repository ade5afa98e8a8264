"""Object names: deterministic, within 63 characters, unique per identity."""

from __future__ import annotations

import re

import pytest

from kingress_contour.names import (
    HASH_LENGTH,
    MAX_NAME_LENGTH,
    child_name,
    delegation_name,
    proxy_name,
)

DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")


@pytest.mark.parametrize(
    ("ingress", "visibility", "fqdn"),
    [
        pytest.param("hello", "ExternalIP", "hello.default.example.com", id="short"),
        pytest.param("hello", "ClusterLocal", "hello.default", id="cluster-local"),
        pytest.param("r" * 63, "ExternalIP", "x" * 60 + ".example.com", id="long-both"),
        pytest.param("a.b", "ExternalIP", "-.-.example.com", id="odd-characters"),
    ],
)
def test_proxy_name_shape(ingress: str, visibility: str, fqdn: str) -> None:
    name = proxy_name(ingress, visibility, fqdn)
    assert len(name) <= MAX_NAME_LENGTH
    assert DNS_SUBDOMAIN.match(name), name
    assert re.search(rf"-[0-9a-f]{{{HASH_LENGTH}}}$", name)
    assert name == proxy_name(ingress, visibility, fqdn)


def test_short_names_stay_readable() -> None:
    assert proxy_name("hello", "ExternalIP", "hello.example.com").startswith(
        "hello-hello.example.com-"
    )


def test_identity_not_text_decides_uniqueness() -> None:
    # Same joined text, different identities.
    assert proxy_name("a-b", "ExternalIP", "c.com") != proxy_name("a", "ExternalIP", "b-c.com")
    # Same host on both installations.
    assert proxy_name("r", "ExternalIP", "h.example.com") != proxy_name(
        "r", "ClusterLocal", "h.example.com"
    )
    # Long names that share their cut-off head.
    long = "x" * 70
    assert proxy_name("r", "ExternalIP", long + ".a.com") != proxy_name(
        "r", "ExternalIP", long + ".b.com"
    )


def test_delegation_name() -> None:
    name = delegation_name("team", "route", "certs")
    assert name.startswith("team-route-") and len(name) <= MAX_NAME_LENGTH
    assert name != delegation_name("team", "route", "other-certs")


def test_child_name_of_nothing_readable_is_the_hash() -> None:
    assert re.fullmatch(r"[0-9a-f]{10}", child_name("...", "id"))
