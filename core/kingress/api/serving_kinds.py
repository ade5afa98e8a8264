"""Registration of the serving kinds into a scheme: checkers and converters on wire dicts.

v1 is the storage version of Service, Configuration, Revision and Route;
v1alpha1 is served too. A checker parses, defaults and validates an object of
its own version and returns it (defaulted) in that version; the converters turn
wire dicts of one version into the other, defaulting on the way up so that a
stored v1 object is always defaulted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from kingress.api import serving as v1
from kingress.api import serving_v1alpha1 as a
from kingress.api import serving_v1alpha1_conversion as conversion
from kingress.api import serving_v1alpha1_validation as a_validation
from kingress.api import serving_validation as v1_validation
from kingress.api.scheme import Checker, Converter, Scheme, TypeInfo
from kingress.api.serving_defaults import (
    set_configuration_defaults,
    set_revision_defaults,
    set_route_defaults,
    set_service_defaults,
)
from kingress.cluster.port import Kind, Object


class _Model(Protocol):
    def to_dict(self) -> Object: ...


_In = TypeVar("_In")
_Out = TypeVar("_Out", bound=_Model)


def _on_wire(
    parse: Callable[[Object], _In], apply: Callable[[_In], _Out]
) -> Callable[[Object], Object]:
    """A wire-dict function from a parser and a typed function."""

    def run(obj: Object) -> Object:
        return apply(parse(obj)).to_dict()

    return run


def _up(convert: Callable[[_In], _Out], default: Callable[[_Out], _Out]) -> Callable[[_In], _Out]:
    return lambda obj: default(convert(obj))


#: (kind, v1 checker, v1alpha1 checker, converter up, converter down)
_KINDS: tuple[tuple[str, Checker, Checker, Converter, Converter], ...] = (
    (
        v1.SERVICE_KIND,
        _on_wire(v1.Service.from_dict, v1_validation.check_service),
        _on_wire(a.Service.from_dict, a_validation.check_service),
        _on_wire(a.Service.from_dict, _up(conversion.service_up, set_service_defaults)),
        _on_wire(v1.Service.from_dict, conversion.service_down),
    ),
    (
        v1.CONFIGURATION_KIND,
        _on_wire(v1.Configuration.from_dict, v1_validation.check_configuration),
        _on_wire(a.Configuration.from_dict, a_validation.check_configuration),
        _on_wire(
            a.Configuration.from_dict,
            _up(conversion.configuration_up, set_configuration_defaults),
        ),
        _on_wire(v1.Configuration.from_dict, conversion.configuration_down),
    ),
    (
        v1.REVISION_KIND,
        _on_wire(v1.Revision.from_dict, v1_validation.check_revision),
        _on_wire(a.Revision.from_dict, a_validation.check_revision),
        _on_wire(a.Revision.from_dict, _up(conversion.revision_up, set_revision_defaults)),
        _on_wire(v1.Revision.from_dict, conversion.revision_down),
    ),
    (
        v1.ROUTE_KIND,
        _on_wire(v1.Route.from_dict, v1_validation.check_route),
        _on_wire(a.Route.from_dict, a_validation.check_route),
        _on_wire(a.Route.from_dict, _up(conversion.route_up, set_route_defaults)),
        _on_wire(v1.Route.from_dict, conversion.route_down),
    ),
)


def register_serving(scheme: Scheme) -> None:
    """Serve the four serving kinds: v1 (storage) and v1alpha1, converting both ways."""
    for kind, check_v1, check_v1alpha1, up, down in _KINDS:
        scheme.register(TypeInfo(v1.API_VERSION, kind, check_v1), storage=True)
        scheme.register(TypeInfo(a.API_VERSION, kind, check_v1alpha1), storage=False)
        key = Kind(v1.GROUP, kind)
        scheme.register_conversion(key, a.API_VERSION, v1.API_VERSION, up)
        scheme.register_conversion(key, v1.API_VERSION, a.API_VERSION, down)
