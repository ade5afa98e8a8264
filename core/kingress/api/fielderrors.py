"""Validation errors in Knative's format (knative/pkg ``apis.FieldError``).

An error is a message and the field paths it concerns; rendered as
``"<message>: <sorted, comma-joined paths>"`` (plus details on the next line).
Errors found deeper in an object are built with relative paths and lifted with
``via`` / ``via_index`` as the validator walks back up, exactly as Knative
builds ``spec.traffic[0].percent`` from ``percent``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FieldError:
    """One validation problem and the fields it concerns."""

    message: str
    paths: tuple[str, ...]
    details: str = ""

    def via(self, prefix: str) -> FieldError:
        """The same error seen from the parent object (``prefix.path``)."""
        return FieldError(self.message, tuple(_join(prefix, p) for p in self.paths), self.details)

    def via_index(self, prefix: str, index: int) -> FieldError:
        """The same error seen from a list field (``prefix[index].path``)."""
        return self.via(f"{prefix}[{index}]")

    def __str__(self) -> str:
        text = f"{self.message}: {', '.join(sorted(self.paths))}"
        return f"{text}\n{self.details}" if self.details else text


def _join(prefix: str, path: str) -> str:
    if not path:
        return prefix
    if path.startswith("["):
        return prefix + path
    return f"{prefix}.{path}"


@dataclass(frozen=True, slots=True)
class FieldErrors:
    """A set of validation errors; empty means valid."""

    errors: tuple[FieldError, ...] = field(default=())

    def __bool__(self) -> bool:
        return bool(self.errors)

    def __add__(self, other: FieldErrors | FieldError | None) -> FieldErrors:
        if other is None:
            return self
        if isinstance(other, FieldError):
            return FieldErrors((*self.errors, other))
        return FieldErrors((*self.errors, *other.errors))

    def via(self, prefix: str) -> FieldErrors:
        """All errors seen from the parent object."""
        return FieldErrors(tuple(e.via(prefix) for e in self.errors))

    def via_index(self, prefix: str, index: int) -> FieldErrors:
        """All errors seen from a list field."""
        return FieldErrors(tuple(e.via_index(prefix, index) for e in self.errors))

    def merged(self) -> tuple[FieldError, ...]:
        """Errors with the same message and details merged, sorted as Knative does."""
        groups: dict[tuple[str, str], set[str]] = {}
        for error in self.errors:
            groups.setdefault((error.message, error.details), set()).update(error.paths)
        merged = [
            FieldError(msg, tuple(sorted(paths)), det) for (msg, det), paths in groups.items()
        ]
        return tuple(sorted(merged, key=lambda e: (e.paths, e.message)))

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.merged())


def collect(errors: Iterable[FieldError | FieldErrors | None]) -> FieldErrors:
    """Gather single errors and error sets into one set."""
    result = FieldErrors()
    for error in errors:
        result = result + error
    return result


def missing_field(*paths: str) -> FieldError:
    """``missing field(s)``."""
    return FieldError("missing field(s)", paths)


def disallowed_fields(*paths: str) -> FieldError:
    """``must not set the field(s)``."""
    return FieldError("must not set the field(s)", paths)


def invalid_value(value: object, path: str, details: str = "") -> FieldError:
    """``invalid value: <value>``."""
    return FieldError(f"invalid value: {value}", (path,), details)


def one_of_too_many(*paths: str) -> FieldError:
    """``expected exactly one, got both``."""
    return FieldError("expected exactly one, got both", paths)


def one_of_missing(*paths: str) -> FieldError:
    """``expected exactly one, got neither``."""
    return FieldError("expected exactly one, got neither", paths)


def out_of_bounds(value: object, lower: object, upper: object, path: str) -> FieldError:
    """``expected <lower> <= <value> <= <upper>``."""
    return FieldError(f"expected {lower} <= {value} <= {upper}", (path,))


class ValidationError(ValueError):
    """Raised when an object is invalid; ``str()`` is Knative's message."""

    def __init__(self, errors: FieldErrors) -> None:
        super().__init__(str(errors))
        self.errors = errors
