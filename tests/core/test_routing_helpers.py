"""Probe insertion, the hash, path precedence and cluster-local host forms."""

from __future__ import annotations

import pytest

from kingress import (
    HASH_HEADER,
    compute_hash,
    expanded_hosts,
    insert_probe,
    ordered_paths,
)
from kingress.testing import ingress, path, rule, simple_ingress, split


def test_hash_depends_on_spec_namespace_and_name() -> None:
    base = simple_ingress()
    assert compute_hash(base) == compute_hash(simple_ingress())
    assert compute_hash(base) != compute_hash(simple_ingress(host="other.example.com"))
    assert compute_hash(base) != compute_hash(simple_ingress(namespace="other"))
    renamed = base.model_copy(update={"metadata": base.metadata.model_copy(update={"name": "x"})})
    assert compute_hash(base) != compute_hash(renamed)


def test_insert_probe_prepends_a_probe_copy_of_every_path() -> None:
    original = ingress(
        rules=[
            rule(
                ["a.example.com"],
                paths=[
                    path("/foo", splits=[split("foo")], headers={"X": "1"}),
                    path(splits=[split("all")]),
                ],
            )
        ]
    )
    probed, hash_ = insert_probe(original)
    assert hash_ == compute_hash(original)
    http = probed.spec.rules[0].http
    assert http is not None
    assert len(http.paths) == 4
    for probe, base in zip(http.paths[:2], http.paths[2:], strict=True):
        assert probe.headers[HASH_HEADER].exact == "override"
        assert probe.append_headers[HASH_HEADER] == hash_
        assert {k: v for k, v in probe.append_headers.items() if k != HASH_HEADER} == (
            base.append_headers
        )
        assert probe.path == base.path
        assert probe.splits == base.splits


@pytest.mark.parametrize(
    ("paths", "want"),
    [
        pytest.param(
            [("", 0), ("/foo", 0), ("/foo/bar", 0)],
            ["/foo/bar", "/foo", ""],
            id="longer-prefix-first",
        ),
        pytest.param(
            [("/a", 0), ("/a", 2), ("/a", 1)], ["/a#2", "/a#1", "/a#0"], id="more-headers-next"
        ),
        pytest.param([("/b", 0), ("/a", 0)], ["/b", "/a"], id="ties-keep-list-order"),
        pytest.param(
            [("/", 0), ("", 1), ("", 0)],
            ["#1", "/#0", "#0"],
            id="empty-counts-as-slash",
        ),
    ],
)
def test_ordered_paths(paths: list[tuple[str, int]], want: list[str]) -> None:
    built = [
        path(prefix, splits=[split("s")], match={f"h{i}": "v" for i in range(n)})
        for prefix, n in paths
    ]
    ordered = ordered_paths(rule(["a"], paths=built))
    got = [p.path + (f"#{len(p.headers)}" if any(n for _, n in paths) else "") for p in ordered]
    assert got == want


def test_expanded_hosts() -> None:
    assert expanded_hosts(["hello.ns.svc.cluster.local", "hello.example.com"]) == (
        "hello.example.com",
        "hello.ns",
        "hello.ns.svc",
        "hello.ns.svc.cluster.local",
    )
    assert expanded_hosts(["a.ns.svc.corp.internal"], "corp.internal") == (
        "a.ns",
        "a.ns.svc",
        "a.ns.svc.corp.internal",
    )
