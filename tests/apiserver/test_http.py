"""Raw HTTP edge cases: malformed and oversized bodies, unsupported patches, unknown URLs."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from kingress.apiserver.server import MAX_BODY_BYTES, ApiServer

CM_URL = "/api/v1/namespaces/default/configmaps"


def request(
    server: ApiServer,
    method: str,
    path: str,
    body: bytes = b"",
    content_type: str = "application/json",
) -> tuple[int, Any]:
    req = urllib.request.Request(
        server.url + path,
        data=body or None,
        method=method,
        headers={"Content-Type": content_type},
    )
    try:
        with urllib.request.urlopen(req, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_malformed_json_is_400(server: tuple[ApiServer, Path]) -> None:
    code, status = request(server[0], "POST", CM_URL, b"{not json")
    assert code == 400
    assert status["kind"] == "Status" and status["reason"] == "BadRequest"


def test_yaml_bodies_are_accepted(server: tuple[ApiServer, Path]) -> None:
    body = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\n"
    code, created = request(server[0], "POST", CM_URL, body, "application/yaml")
    assert code == 201 and created["metadata"]["name"] == "from-yaml"


def test_oversized_body_is_413(server: tuple[ApiServer, Path]) -> None:
    big = json.dumps({"metadata": {"name": "big"}, "data": {"x": "y" * MAX_BODY_BYTES}})
    code, status = request(server[0], "POST", CM_URL, big.encode())
    assert code == 413 and status["reason"] == "RequestEntityTooLarge"


def test_strategic_merge_on_a_custom_kind_is_415(server: tuple[ApiServer, Path]) -> None:
    path = "/apis/networking.internal.knative.dev/v1alpha1/namespaces/default/clusteringresses/x"
    code, status = request(
        server[0], "PATCH", path, b"{}", "application/strategic-merge-patch+json"
    )
    # The object does not exist, but the media type is refused first only when it exists:
    # a missing object is a 404 either way.
    assert code == 404
    body = {
        "apiVersion": "networking.internal.knative.dev/v1alpha1",
        "kind": "ClusterIngress",
        "metadata": {"name": "x"},
        "spec": {
            "rules": [
                {
                    "hosts": ["x.example.com"],
                    "http": {
                        "paths": [
                            {
                                "splits": [
                                    {
                                        "serviceName": "x",
                                        "serviceNamespace": "default",
                                        "servicePort": 80,
                                    }
                                ]
                            }
                        ]
                    },
                }
            ]
        },
    }
    created, _ = request(server[0], "POST", path.rsplit("/", 1)[0], json.dumps(body).encode())
    assert created == 201
    code, status = request(
        server[0], "PATCH", path, b"{}", "application/strategic-merge-patch+json"
    )
    assert code == 415 and status["reason"] == "UnsupportedMediaType"


@pytest.mark.parametrize("path", ["/apis/nope.dev/v1/things", "/nothing-here", "/api/v2"])
def test_unknown_urls_are_404(server: tuple[ApiServer, Path], path: str) -> None:
    code, status = request(server[0], "GET", path)
    assert code == 404 and status["reason"] == "NotFound"


def test_discovery_lists_names_verbs_and_short_names(server: tuple[ApiServer, Path]) -> None:
    _, resources = request(server[0], "GET", "/apis/networking.internal.knative.dev/v1alpha1")
    by_name = {r["name"]: r for r in resources["resources"]}
    kingress = by_name["clusteringresses"]
    assert kingress["kind"] == "ClusterIngress" and kingress["namespaced"] is True
    assert kingress["shortNames"] == ["kingress", "king"]
    assert "watch" in kingress["verbs"] and "clusteringresses/status" in by_name
    _, groups = request(server[0], "GET", "/apis")
    assert "networking.internal.knative.dev" in [g["name"] for g in groups["groups"]]


def test_lists_are_paged_by_limit_and_continue(server: tuple[ApiServer, Path]) -> None:
    for index in range(5):
        body = json.dumps({"metadata": {"name": f"cm-{index}"}}).encode()
        assert request(server[0], "POST", CM_URL, body)[0] == 201
    code, first = request(server[0], "GET", f"{CM_URL}?limit=2")
    assert code == 200
    version = first["metadata"]["resourceVersion"]
    assert [o["metadata"]["name"] for o in first["items"]] == ["cm-0", "cm-1"]
    assert first["metadata"]["remainingItemCount"] == 3
    # A change between pages shows on the page that reaches it; the version stays the first's.
    assert request(server[0], "DELETE", f"{CM_URL}/cm-3")[0] == 200
    token = first["metadata"]["continue"]
    _, second = request(server[0], "GET", f"{CM_URL}?limit=2&continue={token}")
    assert [o["metadata"]["name"] for o in second["items"]] == ["cm-2", "cm-4"]
    assert second["metadata"]["resourceVersion"] == version
    assert "continue" not in second["metadata"]
    _, whole = request(server[0], "GET", CM_URL)
    assert len(whole["items"]) == 4 and "continue" not in whole["metadata"]


def test_a_filtered_list_pages_without_a_remaining_count(server: tuple[ApiServer, Path]) -> None:
    for index in range(6):
        labels = {"tier": "web"} if index % 2 == 0 else {}
        body = json.dumps({"metadata": {"name": f"cm-{index}", "labels": labels}}).encode()
        assert request(server[0], "POST", CM_URL, body)[0] == 201
    # Kubernetes counts what follows a page only when the list is not filtered.
    _, first = request(server[0], "GET", f"{CM_URL}?limit=2&labelSelector=tier%3Dweb")
    assert [o["metadata"]["name"] for o in first["items"]] == ["cm-0", "cm-2"]
    assert "remainingItemCount" not in first["metadata"]
    token = first["metadata"]["continue"]
    query = f"limit=2&labelSelector=tier%3Dweb&continue={token}"
    _, second = request(server[0], "GET", f"{CM_URL}?{query}")
    assert [o["metadata"]["name"] for o in second["items"]] == ["cm-4"]
    assert "continue" not in second["metadata"]
    _, named = request(server[0], "GET", f"{CM_URL}?limit=1&fieldSelector=metadata.name!%3Dcm-0")
    assert [o["metadata"]["name"] for o in named["items"]] == ["cm-1"]
    assert "remainingItemCount" not in named["metadata"] and "continue" in named["metadata"]


@pytest.mark.parametrize("query", ["limit=-1", "limit=x", "continue=bm90LWpzb24", "continue=W10"])
def test_bad_limits_and_continue_tokens_are_400(server: tuple[ApiServer, Path], query: str) -> None:
    assert request(server[0], "GET", f"{CM_URL}?{query}")[0] == 400
