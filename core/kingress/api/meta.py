"""Kubernetes object metadata and references, shared by every kind."""

from __future__ import annotations

from pydantic import Field

from kingress.api.base import ApiModel, OpenModel


class OwnerReference(ApiModel):
    """A pointer from a child object to the object that owns it."""

    api_version: str
    kind: str
    name: str
    uid: str
    controller: bool | None = None
    block_owner_deletion: bool | None = None


class ObjectMeta(OpenModel):
    """``metadata`` of an object; fields kingress does not read are kept as given."""

    name: str = ""
    namespace: str | None = None
    generate_name: str | None = None
    uid: str | None = None
    resource_version: str | None = None
    generation: int | None = None
    creation_timestamp: str | None = None
    deletion_timestamp: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    owner_references: list[OwnerReference] = Field(default_factory=list)
    finalizers: list[str] = Field(default_factory=list)

    def is_controlled_by(self, uid: str | None) -> bool:
        """Whether the controller owner reference points at ``uid``."""
        return uid is not None and any(
            ref.controller and ref.uid == uid for ref in self.owner_references
        )

    def controller(self) -> OwnerReference | None:
        """The owner reference marked ``controller: true``, if any."""
        return next((ref for ref in self.owner_references if ref.controller), None)
