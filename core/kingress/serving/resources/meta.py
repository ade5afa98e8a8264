"""Metadata shared by the serving builders: owner references and propagated maps."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from kingress.api.annotations import LAST_APPLIED, V1ALPHA1_FORM_ANNOTATION
from kingress.api.meta import ObjectMeta, OwnerReference


class Owner(Protocol):
    """Any API object that can own children (Service, Configuration, Revision)."""

    @property
    def api_version(self) -> str:
        """The owner's apiVersion (its storage version)."""
        ...

    @property
    def kind(self) -> str:
        """The owner's kind."""
        ...

    @property
    def metadata(self) -> ObjectMeta:
        """The owner's metadata (name and uid are used)."""
        ...


def owner_reference(owner: Owner) -> OwnerReference:
    """A controller reference to ``owner`` (Knative's ``kmeta.NewControllerRef``)."""
    return OwnerReference(
        api_version=owner.api_version,
        kind=owner.kind,
        name=owner.metadata.name,
        uid=owner.metadata.uid or "",
        controller=True,
        block_owner_deletion=True,
    )


#: Annotations never copied from an object to the children built from it.
NEVER_PROPAGATED = frozenset({LAST_APPLIED, V1ALPHA1_FORM_ANNOTATION})


def without(values: Mapping[str, str], keys: Iterable[str]) -> dict[str, str]:
    """``values`` minus ``keys``."""
    excluded = frozenset(keys)
    return {k: v for k, v in values.items() if k not in excluded}
