"""Gradual rollout of a Configuration's new latest Revision (Knative's ``traffic/rollout.go``).

With a rollout duration (Route annotation ``serving.knative.dev/rollout-duration``
or ``config-network`` ``rollout-duration``), a ``latestRevision`` target that
moves to a new Revision does not jump: the new Revision starts at 1% (taken
from the newest previous Revision that has traffic) and gains traffic in equal
steps until it has the target's whole share.

The state lives in the ClusterIngress annotation
``networking.internal.knative.dev/rollout`` (JSON, Knative's shape) and is read
back on the next reconcile; an unreadable or inconsistent annotation is
discarded. The step size and interval are computed once the ClusterIngress is
Ready for the first time after the rollout began: the time that took is the
shortest step (at least 1 s), and the remaining duration is split into equal
steps (at most one per percent). For 100% in 4 steps: 1 → 26 → 51 → 76 → 100.

Each (configuration, tag) pair rolls out independently; only targets with
``latestRevision: true`` and a share above 1% roll out. Times are Unix
nanoseconds, as in Knative. Everything here is pure: the time is passed in.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from kingress.route.traffic import TrafficConfig

NANOS_PER_SECOND = 1_000_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def unix_nanos(moment: datetime) -> int:
    """A time as Unix nanoseconds (exact, no float rounding)."""
    return (moment - _EPOCH) // timedelta(microseconds=1) * 1000


@dataclass(frozen=True, slots=True)
class RevisionRollout:
    """One Revision's share of the Route's traffic during a rollout."""

    revision_name: str
    percent: int


@dataclass(frozen=True, slots=True)
class StepParams:
    """When the rollout began and how it steps (all zero until it is computed)."""

    start_time: int = 0
    next_step_time: int = 0
    step_duration: int = 0
    step_size: int = 0


@dataclass(frozen=True, slots=True)
class ConfigurationRollout:
    """The rollout state of one (configuration, tag) pair."""

    configuration_name: str
    tag: str
    #: The pair's whole share; the Revisions' percentages add up to it.
    percent: int
    #: Oldest first; the last one is the Revision being rolled out.
    revisions: tuple[RevisionRollout, ...] = ()
    step_params: StepParams = field(default_factory=StepParams)

    @property
    def done(self) -> bool:
        """No rollout in progress: zero or one Revision."""
        return len(self.revisions) < 2

    def is_valid(self) -> bool:
        """Knative's consistency checks for a deserialized state."""
        if self.percent > 100:
            return False
        if not 0 <= self.step_params.step_size <= self.percent:
            return False
        return sum(r.percent for r in self.revisions) == self.percent


def _key(config: ConfigurationRollout) -> tuple[str, str]:
    return (config.tag, config.configuration_name)


@dataclass(frozen=True, slots=True)
class Rollout:
    """The rollout state of a Route: sorted by tag, then configuration name."""

    configurations: tuple[ConfigurationRollout, ...] = ()

    @classmethod
    def of(cls, configurations: Iterable[ConfigurationRollout]) -> Rollout:
        """A rollout with its configurations in the canonical order."""
        return cls(tuple(sorted(configurations, key=_key)))

    @property
    def done(self) -> bool:
        """Whether no configuration is rolling out."""
        return all(config.done for config in self.configurations)

    def find(self, tag: str, configuration_name: str) -> ConfigurationRollout | None:
        """The state of one (configuration, tag) pair."""
        return next((c for c in self.configurations if _key(c) == (tag, configuration_name)), None)

    def to_json(self) -> str:
        """The annotation value, shaped exactly as Knative's ``json.Marshal`` writes it."""
        body: dict[str, Any] = {}
        if self.configurations:
            body["configurations"] = [_config_to_wire(c) for c in self.configurations]
        return json.dumps(body, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | None) -> Rollout | None:
        """The state in an annotation, or None when absent, unreadable or inconsistent."""
        if not text:
            return None
        try:
            rollout = cls.of(_config_from_wire(c) for c in _configurations(json.loads(text)))
        except (ValueError, TypeError, KeyError):
            return None
        if not all(config.is_valid() for config in rollout.configurations):
            return None
        return rollout

    def observe_ready(self, now: int, duration_seconds: float) -> Rollout:
        """The ingress became Ready: compute step size and interval where not yet known."""
        configs = []
        for config in self.configurations:
            params = config.step_params
            if params.step_duration == 0 and params.start_time > 0:
                elapsed = (now - params.start_time) / NANOS_PER_SECOND
                min_step = max(1.0, math.ceil(elapsed))
                configs.append(_with_properties(config, now, min_step, duration_seconds))
            else:
                configs.append(config)
        return Rollout(tuple(configs))

    def step(self, previous: Rollout | None, now: int) -> tuple[Rollout, int]:
        """Merge the desired state (``self``) with the previous one.

        Returns the effective state and the Unix-nanosecond time of the next
        step (0 when none is scheduled).
        """
        if previous is None or not previous.configurations:
            return self, 0
        result: list[ConfigurationRollout] = []
        next_step = 0
        previous_by_tag = _by_tag(previous.configurations)
        for tag, currents in _by_tag(self.configurations).items():
            olds = previous_by_tag.get(tag)
            if olds is None:
                # A new tag: nothing to roll from.
                result.extend(currents)
                continue
            i = j = 0
            while i < len(currents):
                current = currents[i]
                if j >= len(olds):
                    result.append(current)
                    i += 1
                elif current.configuration_name == olds[j].configuration_name:
                    if current.percent > 1:
                        stepped = _step_configuration(current, olds[j], now)
                        result.append(stepped)
                        at = stepped.step_params.next_step_time
                        if at > 0 and (next_step == 0 or at < next_step):
                            next_step = at
                    elif current.percent == 1:
                        # A 1% share (a common A/B split) has nothing to roll.
                        result.append(current)
                    i += 1
                    j += 1
                elif current.configuration_name < olds[j].configuration_name:
                    if current.percent != 0:
                        result.append(current)
                    i += 1
                else:
                    # A configuration that no longer gets traffic.
                    j += 1
        return Rollout.of(result), next_step


def build_rollout(traffic: TrafficConfig) -> Rollout:
    """The steady state the traffic block asks for: one Revision per rolling target."""
    configs = [
        ConfigurationRollout(
            configuration_name=target.configuration_name,
            tag=group,
            percent=target.percent,
            revisions=(RevisionRollout(target.revision_name, target.percent),),
        )
        for group, targets in traffic.groups.items()
        for target in targets
        if target.latest_revision and target.percent > 0
    ]
    return Rollout.of(configs)


def effective_rollout(
    desired: Rollout,
    annotation: str | None,
    *,
    duration_seconds: int,
    ingress_ready: bool,
    route_ingress_ready: bool,
    now: int,
) -> tuple[Rollout, int]:
    """The rollout to apply now and when to step next (Knative's ``reconcileRollout``).

    ``annotation`` is the previous state from the existing ClusterIngress;
    ``ingress_ready`` whether it is Ready for its current generation;
    ``route_ingress_ready`` whether the Route already reports it ready (the
    step size is computed on the not-ready → ready switch).
    """
    if duration_seconds <= 0:
        return desired, 0
    previous = Rollout.from_json(annotation)
    if previous is not None and ingress_ready and not route_ingress_ready:
        previous = previous.observe_ready(now, float(duration_seconds))
    return desired.step(previous, now)


# --- stepping ---------------------------------------------------------------------


def _by_tag(
    configs: Iterable[ConfigurationRollout],
) -> dict[str, list[ConfigurationRollout]]:
    grouped: dict[str, list[ConfigurationRollout]] = {}
    for config in sorted(configs, key=_key):
        grouped.setdefault(config.tag, []).append(config)
    return grouped


def _go_round(value: float) -> int:
    """Go's ``math.Round``: halves away from zero."""
    return math.floor(value + 0.5) if value >= 0 else -math.floor(-value + 0.5)


def _with_properties(
    config: ConfigurationRollout, now: int, min_step: float, duration_seconds: float
) -> ConfigurationRollout:
    # The first 1% already took min_step; the rest is split into equal steps,
    # never smaller than min_step and never smaller than 1%.
    duration = max(1.0, duration_seconds - min_step)
    steps = max(1.0, duration / min_step)
    remaining = float(config.percent - 1)
    steps = min(steps, remaining)
    if steps <= 0:
        return config
    step_duration = duration / steps * NANOS_PER_SECOND
    params = replace(
        config.step_params,
        step_duration=int(step_duration),
        step_size=_go_round(remaining / steps),
        next_step_time=int(float(now) + step_duration),
    )
    return replace(config, step_params=params)


def _adjust_percentage(
    goal: int, current: int, revisions: list[RevisionRollout]
) -> list[RevisionRollout]:
    """The pair's share changed: the newest Revision takes a rise, the oldest give up a cut.

    Only called for shares above 1% (a 0% share is not rolled out at all).
    """
    diff = goal - current
    if diff > 0:
        last = revisions[-1]
        revisions[-1] = replace(last, percent=last.percent + diff)
        return revisions
    cut = -diff
    index = 0
    while cut > 0 and index < len(revisions):
        if revisions[index].percent > cut:
            revisions[index] = replace(revisions[index], percent=revisions[index].percent - cut)
            break
        cut -= revisions[index].percent
        index += 1
    return revisions[index:]


def _step_revisions(config: ConfigurationRollout, now: int) -> ConfigurationRollout:
    """Move one step of traffic from the older Revisions (newest first) to the newest."""
    params = config.step_params
    if now < params.next_step_time or len(config.revisions) < 2:
        return config
    revisions = list(config.revisions)
    count = len(revisions)
    remaining = params.step_size
    write = count - 1
    read = count - 2
    while remaining > 0 and read >= 0:
        if revisions[read].percent > remaining:
            revisions[read] = replace(revisions[read], percent=revisions[read].percent - remaining)
            break
        remaining -= revisions[read].percent
        write -= 1
        read -= 1
    newest = revisions[count - 1]
    grown = min(newest.percent + params.step_size, config.percent)
    revisions[write] = replace(newest, percent=grown)
    revisions = revisions[: write + 1]
    if len(revisions) > 1:
        params = replace(params, next_step_time=now + params.step_duration)
    else:
        params = StepParams()
    return replace(config, revisions=tuple(revisions), step_params=params)


def _step_configuration(
    goal: ConfigurationRollout, previous: ConfigurationRollout, now: int
) -> ConfigurationRollout:
    olds = list(previous.revisions)
    if olds:
        olds = _adjust_percentage(goal.percent, previous.percent, olds)
    result = replace(goal, step_params=StepParams())
    if not olds or goal.revisions[0].revision_name == olds[-1].revision_name:
        # No new Revision: keep stepping the rollout in progress, if any.
        if len(olds) > 1:
            result = replace(result, revisions=tuple(olds), step_params=previous.step_params)
            if result.step_params.step_size > 0:
                result = _step_revisions(result, now)
        return result
    # A new Revision: it starts at 1%, taken from the newest Revision with traffic.
    for index in range(len(olds) - 1, -1, -1):
        if olds[index].percent > 0:
            olds[index] = replace(olds[index], percent=olds[index].percent - 1)
            break
    newcomer = RevisionRollout(goal.revisions[0].revision_name, 1)
    revisions = (*(r for r in olds if r.percent > 0), newcomer)
    return replace(result, revisions=revisions, step_params=StepParams(start_time=now))


# --- the annotation's JSON ----------------------------------------------------------


def _config_to_wire(config: ConfigurationRollout) -> dict[str, Any]:
    body: dict[str, Any] = {"configurationName": config.configuration_name}
    if config.tag:
        body["tag"] = config.tag
    body["percent"] = config.percent
    if config.revisions:
        body["revisions"] = [
            {"revisionName": r.revision_name, "percent": r.percent} for r in config.revisions
        ]
    params = config.step_params
    wire_params: dict[str, int] = {}
    for key, value in (
        ("starttime", params.start_time),
        ("nextStepTime", params.next_step_time),
        ("stepDuration", params.step_duration),
        ("stepSize", params.step_size),
    ):
        if value:
            wire_params[key] = value
    body["stepParams"] = wire_params
    return body


def _int(value: Any) -> int:
    if type(value) is not int:
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _configurations(body: Any) -> list[Any]:
    if not isinstance(body, dict):
        raise TypeError("expected an object")
    configs = body.get("configurations")
    if configs is None:
        return []
    if not isinstance(configs, list):
        raise TypeError("configurations must be a list")
    return configs


def _config_from_wire(body: Any) -> ConfigurationRollout:
    if not isinstance(body, dict):
        raise TypeError("expected an object")
    revisions = body.get("revisions")
    revisions = [] if revisions is None else revisions
    params = body.get("stepParams")
    params = {} if params is None else params
    if not isinstance(revisions, list) or not isinstance(params, dict):
        raise TypeError("bad revisions or stepParams")
    return ConfigurationRollout(
        configuration_name=_str(body.get("configurationName", "")),
        tag=_str(body.get("tag", "")),
        percent=_int(body.get("percent", 0)),
        revisions=tuple(_revision_from_wire(r) for r in revisions),
        step_params=StepParams(
            start_time=_int(params.get("starttime", 0)),
            next_step_time=_int(params.get("nextStepTime", 0)),
            step_duration=_int(params.get("stepDuration", 0)),
            step_size=_int(params.get("stepSize", 0)),
        ),
    )


def _revision_from_wire(body: Any) -> RevisionRollout:
    if not isinstance(body, dict):
        raise TypeError("expected an object")
    return RevisionRollout(_str(body.get("revisionName", "")), _int(body.get("percent", 0)))
