"""The scheme: which kinds kingress accepts, how each is checked and converted.

Every object entering kingress from outside (a manifest file, the embedded API)
goes through ``Scheme.admit``: the kind must be known, the object is parsed
into its typed model, defaulted and validated (Knative's messages), and handed
back in wire form at its *storage* version. ``Scheme.render`` converts a stored
object back to any served version (a v1alpha1 Service is stored as v1 and
rendered back as v1alpha1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kingress.cluster.port import Kind, Object, group_of

#: Default + validate a wire object of one version; return it (same version) or raise.
Checker = Callable[[Object], Object]
#: Convert a wire object between two versions of one kind.
Converter = Callable[[Object], Object]


class UnknownKind(ValueError):
    """An object whose apiVersion/kind kingress does not serve."""


@dataclass(frozen=True, slots=True)
class TypeInfo:
    """One served version of a kind."""

    api_version: str
    kind: str
    #: ``None`` stores the object as given (kinds kingress does not interpret).
    check: Checker | None = None
    namespaced: bool = True


@dataclass(slots=True)
class Scheme:
    """Served kinds, their checkers, storage versions and converters."""

    _types: dict[tuple[str, str], TypeInfo] = field(default_factory=dict)
    _storage: dict[Kind, str] = field(default_factory=dict)
    _converters: dict[tuple[Kind, str, str], Converter] = field(default_factory=dict)
    _aliases: dict[tuple[str, str], str] = field(default_factory=dict)

    def register(self, info: TypeInfo, *, storage: bool = True) -> None:
        """Serve a version of a kind; the storage version is the one marked ``storage``."""
        self._types[(info.api_version, info.kind)] = info
        kind = Kind(group_of(info.api_version), info.kind)
        if storage or kind not in self._storage:
            self._storage[kind] = info.api_version

    def register_alias(self, api_version: str, kind: str, *, to: str) -> None:
        """Accept ``kind`` on input as another kind of the same group (KIngress ``Ingress``)."""
        self._aliases[(api_version, kind)] = to

    def register_conversion(
        self, kind: Kind, from_version: str, to_version: str, convert: Converter
    ) -> None:
        """How to turn an object of ``from_version`` into ``to_version`` (full apiVersions)."""
        self._converters[(kind, from_version, to_version)] = convert

    def lookup(self, api_version: str, kind: str) -> TypeInfo | None:
        """The served type, if any."""
        return self._types.get((api_version, kind))

    def served(self) -> list[TypeInfo]:
        """Every served version of every kind."""
        return sorted(self._types.values(), key=lambda t: (t.kind, t.api_version))

    def storage_version(self, kind: Kind) -> str | None:
        """The apiVersion objects of this kind are stored at."""
        return self._storage.get(kind)

    def admit(self, obj: Any) -> Object:
        """Check an incoming object and return it at its storage version.

        Raises ``UnknownKind`` for kinds not served, ``pydantic.ValidationError``
        for objects that do not parse, and ``kingress.api.fielderrors.ValidationError``
        for objects that parse but are invalid.
        """
        if not isinstance(obj, dict):
            raise UnknownKind(f"expected an object (a mapping), got {type(obj).__name__}")
        api_version, kind = str(obj.get("apiVersion") or ""), str(obj.get("kind") or "")
        if not api_version or not kind:
            raise UnknownKind("the object has no apiVersion or kind")
        alias = self._aliases.get((api_version, kind))
        if alias is not None:
            obj = {**obj, "kind": alias}
            kind = alias
        info = self.lookup(api_version, kind)
        if info is None:
            raise UnknownKind(f"no kind {kind!r} is registered for version {api_version!r}")
        checked = info.check(obj) if info.check is not None else obj
        return self.convert(checked, self._storage[Kind(group_of(api_version), kind)])

    def convert(self, obj: Object, api_version: str) -> Object:
        """The object rendered at another served version of its kind."""
        current = str(obj.get("apiVersion"))
        if current == api_version:
            return obj
        kind = Kind.of(obj)
        convert = self._converters.get((kind, current, api_version), None)
        if convert is None:
            raise UnknownKind(f"no conversion of {kind} from {current} to {api_version}")
        return convert(obj)

    def render(self, obj: Object, api_version: str | None = None) -> Object:
        """A stored object as a client asked for it (its stored version by default)."""
        return obj if api_version is None else self.convert(obj, api_version)
