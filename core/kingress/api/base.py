"""The base of every API type: frozen pydantic models with camelCase on the wire.

Objects arrive as dicts (YAML, JSON, the store) and are parsed exactly once, at
that boundary, into these models; everything inside kingress works on typed,
immutable values and changes them with ``model_copy(update=...)``. They are
dumped back to dicts (``to_dict``) only where they leave again.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer
from pydantic.alias_generators import to_camel

from kingress.frozen import FrozenDict

#: The types whose empty values ``omitempty`` leaves out (with ``None``).
_SIZED = frozenset({str, list, dict, tuple})


class ApiModel(BaseModel):
    """A strict, frozen part of an API object: unknown fields are errors."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        populate_by_name=True,
        alias_generator=to_camel,
        serialize_by_alias=True,
    )

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        """Parse a wire-form (camelCase) dict; raises ``pydantic.ValidationError``.

        A frozen dict (what the store hands out) is parsed once per class: the
        model is kept with it and returned again.
        """
        if type(data) is FrozenDict:
            model = data.parsed(cls)
            if model is None:
                model = cls.model_validate(data)
                data.remember_parsed(cls, model)
            return model
        return cls.model_validate(data)

    @model_serializer(mode="wrap")
    def _omit_empty(self, handler: SerializerFunctionWrapHandler) -> Any:
        # Go's ``omitempty``: unset, empty-string and empty-collection fields are
        # left out. Values inside maps (label values may be "") are kept.
        data = handler(self)
        return {
            key: value
            for key, value in data.items()
            if value is not None and (type(value) not in _SIZED or value)
        }

    def to_dict(self) -> dict[str, Any]:
        """Render to the wire form: camelCase keys, empty fields left out."""
        result: dict[str, Any] = self.model_dump(mode="json", by_alias=True)
        return result


class OpenModel(ApiModel):
    """A part of an API object whose schema we only partly model.

    Used for Kubernetes types (object metadata, containers, pod specs) where
    kingress names the fields it reads and keeps every other field untouched, so
    that nothing a user wrote is lost on a round trip.
    """

    model_config = ConfigDict(extra="allow")
