"""The plugin host: registration, duplicate classes, misspelt hooks, blocking, crashes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest

import kingress
from kingress.backends import BackendRegistry, UnknownIngressClass
from kingress.plugin.manager import (
    BLOCK_ENV,
    PluginError,
    blocked_from_env,
    build_plugin_manager,
    load_backends,
)


@dataclass
class FakeGateway:
    """A minimal, real Backend implementation (not a mock of kingress code)."""

    name: str
    ingress_classes: frozenset[str]
    features: frozenset[kingress.Feature] = frozenset({kingress.Feature.BASICS})

    def translate(
        self, ingress: kingress.ClusterIngress, context: kingress.TranslateContext
    ) -> kingress.Translation:
        return kingress.Translation()

    def check_ready(
        self, ingress: kingress.ClusterIngress, applied: Sequence[dict[str, object]]
    ) -> kingress.Readiness:
        return kingress.Readiness.serving()


def _plugin(*backends: FakeGateway) -> object:
    class Plugin:
        @kingress.hookimpl
        def register_backends(self, register: kingress.backends.RegisterBackend) -> None:
            for backend in backends:
                register(backend)

    return Plugin()


def test_backends_are_registered_and_dispatched_by_class() -> None:
    backend = FakeGateway("fake", frozenset({"fake.ingress.networking.knative.dev"}))
    manager = build_plugin_manager(load_entrypoints=False, plugins=[_plugin(backend)])
    registry = load_backends(manager)
    assert registry.for_class("fake.ingress.networking.knative.dev") is backend
    assert registry.classes() == ["fake.ingress.networking.knative.dev"]


def test_two_backends_claiming_one_class_name_both_sources() -> None:
    one = FakeGateway("one", frozenset({"x.ingress.networking.knative.dev"}))
    two = FakeGateway("two", frozenset({"x.ingress.networking.knative.dev"}))
    manager = build_plugin_manager(load_entrypoints=False)
    manager.register(_plugin(one), name="dist-one")
    manager.register(_plugin(two), name="dist-two")
    with pytest.raises(PluginError, match=r"claimed by both dist-(one|two) .* and dist-(one|two)"):
        load_backends(manager)


def test_unknown_class_lists_installed_classes() -> None:
    registry = BackendRegistry()
    registry.add(FakeGateway("a", frozenset({"a.x"})), distribution="d")
    with pytest.raises(UnknownIngressClass, match=r"'b\.x' \(installed: a\.x\)"):
        registry.for_class("b.x")


def test_a_misspelt_hook_fails_loudly() -> None:
    class Typo:
        @kingress.hookimpl
        def register_backend(self, register: object) -> None:  # missing "s"
            pass

    with pytest.raises(PluginError, match="register_backend"):
        build_plugin_manager(load_entrypoints=False, plugins=[Typo()])


def test_a_crashing_plugin_is_reported_by_name() -> None:
    class Crashing:
        @kingress.hookimpl
        def register_backends(self, register: object) -> None:
            raise RuntimeError("boom")

    manager = build_plugin_manager(load_entrypoints=False)
    manager.register(Crashing(), name="crashy")
    with pytest.raises(
        PluginError, match="plugin crashy failed to register its backends: RuntimeError: boom"
    ):
        load_backends(manager)


def test_an_object_that_is_not_a_backend_is_refused() -> None:
    class NotABackend:
        name = "nope"

    class Plugin:
        @kingress.hookimpl
        def register_backends(self, register: kingress.backends.RegisterBackend) -> None:
            register(NotABackend())  # type: ignore[arg-type]

    manager = build_plugin_manager(load_entrypoints=False, plugins=[Plugin()])
    with pytest.raises(PluginError, match="is not a kingress Backend"):
        load_backends(manager)


def test_blocked_plugins_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BLOCK_ENV, "istio, contour ,")
    assert blocked_from_env() == frozenset({"istio", "contour"})
    backend = FakeGateway("fake", frozenset({"f.x"}))
    manager = build_plugin_manager(load_entrypoints=False, blocked=["fake"])
    manager.register(_plugin(backend), name="fake")
    assert load_backends(manager).classes() == []


def test_each_build_is_independent() -> None:
    first = build_plugin_manager(load_entrypoints=False)
    second = build_plugin_manager(load_entrypoints=False)
    assert first is not second
