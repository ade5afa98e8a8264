"""The status fields every Knative kind shares (Knative's duck ``Status``)."""

from __future__ import annotations

from pydantic import Field

from kingress.api.base import ApiModel
from kingress.api.conditions import READY, Condition, Conditions, ConditionStatus, get_condition


class Status(ApiModel):
    """``observedGeneration``, ``conditions`` and ``annotations``."""

    observed_generation: int | None = None
    conditions: Conditions = ()
    annotations: dict[str, str] = Field(default_factory=dict)

    def condition(self, type_: str) -> Condition | None:
        """The condition of the given type, if present."""
        return get_condition(self.conditions, type_)

    def is_ready(self, generation: int | None) -> bool:
        """Ready=True and the status describes the current generation."""
        ready = self.condition(READY)
        return (
            ready is not None
            and ready.status is ConditionStatus.TRUE
            and self.observed_generation == generation
        )
