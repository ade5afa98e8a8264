# The kubernetes client accepts dicts where its generated signatures name model classes,
# returns `object` from the custom-objects API and leaves much untyped: relax those checks.
# mypy: disable-error-code="arg-type,index,union-attr,no-untyped-call,operator,misc"
"""The embedded API through the official ``kubernetes`` Python client, over real HTTP."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client, watch
from kubernetes.client.exceptions import ApiException
from kubernetes.dynamic import DynamicClient

from kingress.api.kinds import default_scheme
from kingress.api.scheme import TypeInfo
from kingress.apiserver.server import ApiServer
from kingress.cluster.kube import load_api_client
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind
from kingress.runtime.testing import running_apiserver

GROUP, VERSION, PLURAL = "networking.internal.knative.dev", "v1alpha1", "clusteringresses"


def ingress(name: str = "hello", percent: int = 100) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "ClusterIngress",
        "metadata": {"name": name},
        "spec": {
            "rules": [
                {
                    "hosts": [f"{name}.example.com"],
                    "http": {
                        "paths": [
                            {
                                "splits": [
                                    {
                                        "serviceName": name,
                                        "serviceNamespace": "default",
                                        "servicePort": 80,
                                        "percent": percent,
                                    }
                                ]
                            }
                        ]
                    },
                }
            ]
        },
    }


def config_map(name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": labels or {}}, "data": {"k": name}}


def test_config_map_crud(api_client: client.ApiClient) -> None:
    core = client.CoreV1Api(api_client)
    created = core.create_namespaced_config_map("default", config_map("one"))
    assert created.metadata.resource_version and created.metadata.uid
    assert core.read_namespaced_config_map("one", "default").data == {"k": "one"}
    patched = core.patch_namespaced_config_map("one", "default", {"data": {"extra": "x"}})
    assert patched.data == {"k": "one", "extra": "x"}
    names = [c.metadata.name for c in core.list_namespaced_config_map("default").items]
    assert names == ["one"]
    core.delete_namespaced_config_map("one", "default")
    with pytest.raises(ApiException) as missing:
        core.read_namespaced_config_map("one", "default")
    assert missing.value.status == 404


def test_label_and_field_selectors(api_client: client.ApiClient) -> None:
    core = client.CoreV1Api(api_client)
    for name, tier in (("a", "web"), ("b", "web"), ("c", "db")):
        core.create_namespaced_config_map("default", config_map(name, {"tier": tier}))

    def names(**selectors: str) -> list[str]:
        found = core.list_namespaced_config_map("default", **selectors).items
        return [c.metadata.name for c in found]

    assert names(label_selector="tier=web") == ["a", "b"]
    assert names(label_selector="tier in (db)") == ["c"]
    assert names(field_selector="metadata.name=b") == ["b"]
    assert names(field_selector="metadata.name!=b", label_selector="tier=web") == ["a"]
    with pytest.raises(ApiException) as bad:
        names(field_selector="spec.x=1")
    assert bad.value.status == 400


def test_stale_update_is_a_409_conflict(api_client: client.ApiClient) -> None:
    core = client.CoreV1Api(api_client)
    stale = core.create_namespaced_config_map("default", config_map("one"))
    core.patch_namespaced_config_map("one", "default", {"data": {"k": "newer"}})
    stale.data = {"k": "lost update"}
    with pytest.raises(ApiException) as conflict:
        core.replace_namespaced_config_map("one", "default", stale)
    assert conflict.value.status == 409
    assert json.loads(conflict.value.body)["reason"] == "Conflict"


def test_missing_namespace_is_not_found(api_client: client.ApiClient) -> None:
    core = client.CoreV1Api(api_client)
    with pytest.raises(ApiException) as missing:
        core.create_namespaced_config_map("nowhere", config_map("one"))
    assert missing.value.status == 404
    core.create_namespace({"metadata": {"name": "somewhere"}})
    core.create_namespaced_config_map("somewhere", config_map("one"))
    assert core.read_namespace("somewhere").status.phase == "Active"
    core.delete_namespace("somewhere")
    with pytest.raises(ApiException):
        core.read_namespaced_config_map("one", "somewhere")


def test_cluster_ingress_status_subresource_and_generation(api_client: client.ApiClient) -> None:
    custom = client.CustomObjectsApi(api_client)
    created = custom.create_namespaced_custom_object(GROUP, VERSION, "default", PLURAL, ingress())
    assert created["metadata"]["generation"] == 1
    status = {
        "status": {"observedGeneration": 1, "conditions": [{"type": "Ready", "status": "True"}]}
    }
    with_status = custom.patch_namespaced_custom_object_status(
        GROUP, VERSION, "default", PLURAL, "hello", status
    )
    assert with_status["status"]["conditions"][0]["status"] == "True"
    assert with_status["metadata"]["generation"] == 1
    # A main-resource write cannot change status; a spec change bumps generation.
    changed = custom.patch_namespaced_custom_object(
        GROUP,
        VERSION,
        "default",
        PLURAL,
        "hello",
        {"spec": {"httpOption": "Enabled"}, "status": {"observedGeneration": 9}},
    )
    assert changed["metadata"]["generation"] == 2
    assert changed["status"]["observedGeneration"] == 1


def test_invalid_cluster_ingress_is_422_with_knatives_message(
    api_client: client.ApiClient,
) -> None:
    custom = client.CustomObjectsApi(api_client)
    with pytest.raises(ApiException) as invalid:
        custom.create_namespaced_custom_object(
            GROUP, VERSION, "default", PLURAL, ingress(percent=150)
        )
    assert invalid.value.status == 422
    assert "invalid value: 150: spec.rules[0].http.paths[0].splits[0].percent" in (
        invalid.value.body
    )


def test_watch_from_a_resource_version(api_client: client.ApiClient) -> None:
    core = client.CoreV1Api(api_client)
    first = core.create_namespaced_config_map("default", config_map("before"))
    core.create_namespaced_config_map("default", config_map("after"))
    core.delete_namespaced_config_map("before", "default")
    seen = [
        (event["type"], event["object"].metadata.name)
        for event in watch.Watch().stream(
            core.list_namespaced_config_map,
            "default",
            resource_version=first.metadata.resource_version,
            timeout_seconds=1,
        )
    ]
    assert seen == [("ADDED", "after"), ("DELETED", "before")]


def test_watch_from_an_expired_version_is_410(tmp_path: Path) -> None:
    with running_apiserver(tmp_path, MemoryCluster(history=3)) as (_, kubeconfig):
        core = client.CoreV1Api(load_api_client(str(kubeconfig)))
        for number in range(6):
            core.create_namespaced_config_map("default", config_map(f"c{number}"))
        with pytest.raises(ApiException) as gone:
            for _ in watch.Watch().stream(
                core.list_namespaced_config_map,
                "default",
                resource_version="2",
                timeout_seconds=1,
            ):
                pass
        assert gone.value.status == 410


def test_cascading_and_orphaning_deletes(api_client: client.ApiClient) -> None:
    core = client.CoreV1Api(api_client)

    def child_of(owner: Any, name: str) -> None:
        body = config_map(name)
        body["metadata"]["ownerReferences"] = [
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "name": owner.metadata.name,
                "uid": owner.metadata.uid,
                "controller": True,
            }
        ]
        core.create_namespaced_secret("default", {**body, "data": {}})

    parent = core.create_namespaced_config_map("default", config_map("parent"))
    child_of(parent, "child")
    core.delete_namespaced_config_map("parent", "default")
    assert core.list_namespaced_secret("default").items == []

    parent = core.create_namespaced_config_map("default", config_map("parent"))
    child_of(parent, "kept")
    core.delete_namespaced_config_map("parent", "default", propagation_policy="Orphan")
    kept = core.read_namespaced_secret("kept", "default")
    assert not kept.metadata.owner_references


def test_dynamic_client_discovers_our_kinds(api_client: client.ApiClient) -> None:
    dynamic = DynamicClient(api_client)
    resource = dynamic.resources.get(api_version=f"{GROUP}/{VERSION}", kind="ClusterIngress")
    assert resource.name == PLURAL
    assert "kingress" in resource.short_names
    resource.create(body=ingress("dyn"), namespace="default")
    assert resource.get(name="dyn", namespace="default").metadata.name == "dyn"


def test_a_crd_created_through_the_api_is_served(api_client: client.ApiClient) -> None:
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.dev"},
        "spec": {
            "group": "example.dev",
            "scope": "Namespaced",
            "names": {"kind": "Widget", "plural": "widgets", "singular": "widget"},
            "versions": [
                {"name": "v2", "served": True, "storage": True, "subresources": {"status": {}}},
                {"name": "v1", "served": True, "storage": False},
            ],
        },
    }
    client.ApiextensionsV1Api(api_client).create_custom_resource_definition(crd)
    custom = client.CustomObjectsApi(api_client)
    widget = {
        "apiVersion": "example.dev/v1",
        "kind": "Widget",
        "metadata": {"name": "w"},
        "spec": {"size": 3},
    }
    custom.create_namespaced_custom_object("example.dev", "v1", "default", "widgets", widget)
    stored = custom.get_namespaced_custom_object("example.dev", "v2", "default", "widgets", "w")
    assert stored["apiVersion"] == "example.dev/v2"
    assert stored["spec"] == {"size": 3}


def test_other_versions_are_rendered_through_the_scheme(tmp_path: Path) -> None:
    scheme = default_scheme()
    kind = Kind("example.dev", "Gadget")
    scheme.register(TypeInfo("example.dev/v1", "Gadget"), storage=True)
    scheme.register(TypeInfo("example.dev/v1alpha1", "Gadget"), storage=False)

    def converter(version: str, old: str, new: str) -> Any:
        def convert(obj: dict[str, Any]) -> dict[str, Any]:
            result = copy.deepcopy(obj)
            result["apiVersion"] = version
            result["spec"] = {new: obj.get("spec", {}).get(old)}
            return result

        return convert

    scheme.register_conversion(
        kind,
        "example.dev/v1alpha1",
        "example.dev/v1",
        converter("example.dev/v1", "inches", "size"),
    )
    scheme.register_conversion(
        kind,
        "example.dev/v1",
        "example.dev/v1alpha1",
        converter("example.dev/v1alpha1", "size", "inches"),
    )
    with running_apiserver(tmp_path, scheme=scheme) as (server, kubeconfig):
        custom = client.CustomObjectsApi(load_api_client(str(kubeconfig)))
        old = {
            "apiVersion": "example.dev/v1alpha1",
            "kind": "Gadget",
            "metadata": {"name": "g"},
            "spec": {"inches": 7},
        }
        custom.create_namespaced_custom_object("example.dev", "v1alpha1", "default", "gadgets", old)
        assert server.store.get(kind, "default", "g")["spec"] == {"size": 7}
        as_v1 = custom.get_namespaced_custom_object("example.dev", "v1", "default", "gadgets", "g")
        assert as_v1["spec"] == {"size": 7}
        as_old = custom.get_namespaced_custom_object(
            "example.dev", "v1alpha1", "default", "gadgets", "g"
        )
        assert (as_old["apiVersion"], as_old["spec"]) == ("example.dev/v1alpha1", {"inches": 7})


def test_server_address_and_version(
    server: tuple[ApiServer, Path], api_client: client.ApiClient
) -> None:
    info = client.VersionApi(api_client).get_code()
    assert info.major == "1"
    assert server[0].url.startswith("http://127.0.0.1:")
