"""Placeholder Service builders: which load balancer is used, and when a Service is recreated."""

from __future__ import annotations

from typing import Any

import pytest

from kingress.api.ingress import ClusterIngress, LoadBalancerIngressStatus
from kingress.api.serving import Route
from kingress.route.resources.placeholder import (
    LoadBalancerError,
    load_balancer,
    make_k8s_service,
    needs_recreate,
)
from tests.route.builders import NS, route


def ingress(
    private: list[dict[str, Any]] | None, public: list[dict[str, Any]] | None
) -> ClusterIngress:
    status: dict[str, Any] = {}
    if private is not None:
        status["privateLoadBalancer"] = {"ingress": private}
    if public is not None:
        status["publicLoadBalancer"] = {"ingress": public}
    return ClusterIngress.from_dict({"metadata": {"name": "r", "namespace": NS}, "status": status})


@pytest.mark.parametrize(
    ("private", "public", "cluster_local", "want"),
    [
        pytest.param(
            [{"ip": "1.1.1.1"}], [{"ip": "2.2.2.2"}], False, "1.1.1.1", id="private-first"
        ),
        pytest.param([], [{"ip": "2.2.2.2"}], False, "2.2.2.2", id="public-when-private-empty"),
        pytest.param(None, [{"ip": "2.2.2.2"}], True, None, id="cluster-local-never-public"),
        pytest.param(None, None, False, None, id="none-published"),
    ],
)
def test_load_balancer_choice(
    private: list[dict[str, Any]] | None,
    public: list[dict[str, Any]] | None,
    cluster_local: bool,
    want: str | None,
) -> None:
    chosen = load_balancer(ingress(private, public), cluster_local=cluster_local)
    assert (chosen.ip if chosen is not None else None) == want


def test_more_than_one_entry_is_an_error() -> None:
    with pytest.raises(LoadBalancerError, match=r'of Ingress "r"$'):
        load_balancer(ingress([{"ip": "1.1.1.1"}, {"ip": "1.1.1.2"}], None), cluster_local=False)


def test_an_empty_entry_shapes_nothing() -> None:
    owner = Route.from_dict(route(NS, "r"))
    assert make_k8s_service(owner, "r", LoadBalancerIngressStatus()) is None


@pytest.mark.parametrize(
    ("old", "new", "want"),
    [
        pytest.param({"type": "ExternalName"}, {"type": "ClusterIP"}, True, id="to-cluster-ip"),
        pytest.param({}, {"type": "ExternalName"}, True, id="default-cluster-ip-to-external"),
        pytest.param({"type": "ExternalName"}, {"type": "ExternalName"}, False, id="same-type"),
        pytest.param(
            {"type": "ClusterIP", "clusterIP": "None"},
            {"type": "ClusterIP"},
            True,
            id="headless-to-ip",
        ),
        pytest.param(
            {"type": "ClusterIP", "clusterIP": "10.0.0.1"},
            {"type": "ClusterIP", "clusterIP": "None"},
            True,
            id="ip-to-headless",
        ),
        pytest.param(
            {"type": "ClusterIP", "clusterIP": "10.0.0.1"},
            {"type": "ClusterIP"},
            False,
            id="keeps-ip",
        ),
    ],
)
def test_needs_recreate(old: dict[str, Any], new: dict[str, Any], want: bool) -> None:
    assert needs_recreate({"spec": old}, {"spec": new}) is want
