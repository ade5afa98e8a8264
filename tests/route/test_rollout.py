"""Gradual rollout: the pure stepping rules, the annotation, and the stepping over time."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from kingress.route.rollout import (
    NANOS_PER_SECOND,
    ConfigurationRollout,
    RevisionRollout,
    Rollout,
    StepParams,
    build_rollout,
    effective_rollout,
    unix_nanos,
)
from kingress.route.traffic import RevisionTarget, TrafficConfig

S = NANOS_PER_SECOND
T0 = 1_700_000_000 * S


def config(
    name: str = "c",
    percent: int = 100,
    *revisions: tuple[str, int],
    tag: str = "",
    params: StepParams | None = None,
) -> ConfigurationRollout:
    revs = revisions or ((f"{name}-1", percent),)
    return ConfigurationRollout(
        configuration_name=name,
        tag=tag,
        percent=percent,
        revisions=tuple(RevisionRollout(r, p) for r, p in revs),
        step_params=params or StepParams(),
    )


def shares(rollout: Rollout, name: str = "c", tag: str = "") -> list[tuple[str, int]]:
    found = rollout.find(tag, name)
    assert found is not None
    return [(r.revision_name, r.percent) for r in found.revisions]


def target(
    rev: str, percent: int, *, tag: str = "", latest: bool = True, cfg: str = "c"
) -> RevisionTarget:
    return RevisionTarget(
        tag=tag, revision_name=rev, configuration_name=cfg, latest_revision=latest, percent=percent
    )


def test_build_rollout_takes_latest_targets_with_traffic() -> None:
    traffic = TrafficConfig(
        groups={
            "": (
                target("a-1", 60),
                target("b-1", 40, latest=False, cfg="b"),
                target("z-1", 0, cfg="z"),
            ),
            "canary": (target("a-1", 100, tag="canary"),),
        },
        revision_targets=(),
    )
    rollout = build_rollout(traffic)
    assert [(c.tag, c.configuration_name, c.percent) for c in rollout.configurations] == [
        ("", "c", 60),
        ("canary", "c", 100),
    ]
    assert rollout.done


def test_annotation_has_knatives_json_shape() -> None:
    rollout = Rollout.of(
        [
            config("c", 100, ("c-1", 74), ("c-2", 26), params=StepParams(5, 6, 7, 25)),
            config("d", 100, tag="t"),
        ]
    )
    assert json.loads(rollout.to_json()) == {
        "configurations": [
            {
                "configurationName": "c",
                "percent": 100,
                "revisions": [
                    {"revisionName": "c-1", "percent": 74},
                    {"revisionName": "c-2", "percent": 26},
                ],
                "stepParams": {
                    "starttime": 5,
                    "nextStepTime": 6,
                    "stepDuration": 7,
                    "stepSize": 25,
                },
            },
            {
                "configurationName": "d",
                "tag": "t",
                "percent": 100,
                "revisions": [{"revisionName": "d-1", "percent": 100}],
                "stepParams": {},
            },
        ]
    }
    assert Rollout().to_json() == "{}"
    assert Rollout.from_json(rollout.to_json()) == rollout


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("{", id="not-json"),
        pytest.param("[]", id="not-an-object"),
        pytest.param(
            '{"configurations":[{"configurationName":"c","percent":101,'
            '"revisions":[{"revisionName":"x","percent":101}]}]}',
            id="over-100",
        ),
        pytest.param(
            '{"configurations":[{"configurationName":"c","percent":100,'
            '"revisions":[{"revisionName":"x","percent":90}]}]}',
            id="shares-do-not-add-up",
        ),
        pytest.param(
            '{"configurations":[{"configurationName":"c","percent":10,'
            '"revisions":[{"revisionName":"x","percent":10}],"stepParams":{"stepSize":11}}]}',
            id="step-larger-than-share",
        ),
        pytest.param(
            '{"configurations":[{"configurationName":"c","percent":10,'
            '"revisions":[{"revisionName":"x","percent":10}],"stepParams":{"stepSize":-1}}]}',
            id="negative-step",
        ),
        pytest.param(
            '{"configurations":[{"configurationName":"c","percent":"10"}]}', id="wrong-type"
        ),
        pytest.param('{"configurations":{}}', id="configurations-not-a-list"),
        pytest.param('{"configurations":[7]}', id="configuration-not-an-object"),
        pytest.param('{"configurations":[{"configurationName":7}]}', id="name-not-a-string"),
        pytest.param(
            '{"configurations":[{"configurationName":"c","stepParams":[]}]}',
            id="step-params-not-an-object",
        ),
        pytest.param(
            '{"configurations":[{"configurationName":"c","percent":10,"revisions":[7]}]}',
            id="revision-not-an-object",
        ),
    ],
)
def test_unusable_annotation_is_discarded(text: str) -> None:
    assert Rollout.from_json(text) is None


def test_no_previous_state_means_no_rollout() -> None:
    desired = Rollout.of([config("c", 100, ("c-2", 100))])
    assert desired.step(None, T0) == (desired, 0)
    assert desired.step(Rollout(), T0) == (desired, 0)


def test_new_revision_starts_at_one_percent() -> None:
    previous = Rollout.of([config("c", 100, ("c-1", 100))])
    desired = Rollout.of([config("c", 100, ("c-2", 100))])
    stepped, next_step = desired.step(previous, T0)
    assert shares(stepped) == [("c-1", 99), ("c-2", 1)]
    found = stepped.find("", "c")
    assert found is not None
    assert found.step_params == StepParams(start_time=T0)
    assert next_step == 0, "no step before the ingress is ready"
    assert not stepped.done


def test_one_hundred_percent_in_four_steps() -> None:
    previous = Rollout.of(
        [config("c", 100, ("c-1", 99), ("c-2", 1), params=StepParams(start_time=T0))]
    )
    ready = previous.observe_ready(T0, 5.0)
    params = ready.configurations[0].step_params
    assert (params.step_size, params.step_duration, params.next_step_time) == (25, S, T0 + S)
    desired = Rollout.of([config("c", 100, ("c-2", 100))])
    seen = []
    now = T0
    state = ready
    for _ in range(6):
        state, next_step = desired.step(state, now)
        seen.append(shares(state)[-1][1])
        if next_step == 0:
            break
        now = next_step
    assert seen == [1, 26, 51, 76, 100]
    final = state.find("", "c")
    assert final is not None and final.step_params == StepParams()
    assert state.done


def test_no_step_before_the_next_step_time() -> None:
    rolling = config(
        "c", 100, ("c-1", 74), ("c-2", 26), params=StepParams(T0, T0 + 10 * S, 10 * S, 25)
    )
    desired = Rollout.of([config("c", 100, ("c-2", 100))])
    stepped, next_step = desired.step(Rollout.of([rolling]), T0 + 5 * S)
    assert shares(stepped) == [("c-1", 74), ("c-2", 26)]
    assert next_step == T0 + 10 * S


def test_slow_first_readiness_means_fewer_bigger_steps() -> None:
    previous = Rollout.of(
        [config("c", 100, ("c-1", 99), ("c-2", 1), params=StepParams(start_time=T0))]
    )
    ready = previous.observe_ready(T0 + 30 * S, 100.0)
    params = ready.configurations[0].step_params
    # 70 s left, steps of at least 30 s: 70/30 = 2.33 steps (not rounded, as in
    # Knative) of 99/2.33 = 42.4 → 42%, 30 s apart (float arithmetic, as Go's).
    assert (params.step_size, params.step_duration) == (42, 29_999_999_999)


def test_more_steps_than_percents_step_by_one_percent() -> None:
    previous = Rollout.of(
        [config("c", 3, ("c-1", 2), ("c-2", 1), params=StepParams(start_time=T0))]
    )
    params = previous.observe_ready(T0, 1000.0).configurations[0].step_params
    assert (params.step_size, params.step_duration) == (1, 499_500_000_000)


def test_a_newer_revision_during_a_rollout_stacks() -> None:
    previous = Rollout.of(
        [config("c", 100, ("c-1", 74), ("c-2", 26), params=StepParams(T0, T0, S, 25))]
    )
    desired = Rollout.of([config("c", 100, ("c-3", 100))])
    stepped, _ = desired.step(previous, T0 + S)
    assert shares(stepped) == [("c-1", 74), ("c-2", 25), ("c-3", 1)]
    found = stepped.find("", "c")
    assert found is not None and found.step_params == StepParams(start_time=T0 + S)


def test_share_changes_during_a_rollout() -> None:
    rolling = config("c", 100, ("c-1", 74), ("c-2", 26), params=StepParams(T0, T0 + 9 * S, S, 25))
    up_desired = Rollout.of([config("c", 100, ("c-2", 100))])
    down = Rollout.of(
        [
            replace(
                rolling,
                percent=50,
                revisions=(RevisionRollout("c-1", 24), RevisionRollout("c-2", 26)),
            )
        ]
    )
    # A cut comes off the oldest Revisions first.
    cut_desired = Rollout.of([config("c", 20, ("c-2", 20))])
    stepped, _ = cut_desired.step(Rollout.of([rolling]), T0)
    assert shares(stepped) == [("c-2", 20)]
    # A rise goes to the newest Revision.
    raised, _ = up_desired.step(down, T0)
    assert shares(raised) == [("c-1", 24), ("c-2", 76)]


def test_small_zero_new_and_removed_configurations() -> None:
    previous = Rollout.of([config("b", 50), config("c", 49), config("d", 1)])
    desired = Rollout.of(
        [config("a", 10), config("b", 50, ("b-2", 50)), config("d", 1, ("d-2", 1))]
    )
    stepped, _ = desired.step(previous, T0)
    names = [
        (c.configuration_name, [r.revision_name for r in c.revisions])
        for c in stepped.configurations
    ]
    assert names == [("a", ["a-1"]), ("b", ["b-1", "b-2"]), ("d", ["d-2"])]


def test_a_new_tag_has_nothing_to_roll_from() -> None:
    previous = Rollout.of([config("c", 100)])
    desired = Rollout.of([config("c", 100), config("c", 100, ("c-2", 100), tag="canary")])
    stepped, _ = desired.step(previous, T0)
    assert shares(stepped, tag="canary") == [("c-2", 100)]


def test_effective_rollout_disabled_or_fresh() -> None:
    desired = Rollout.of([config("c", 100, ("c-2", 100))])
    previous = Rollout.of([config("c", 100, ("c-1", 100))]).to_json()

    def run(annotation: str, duration: int) -> tuple[Rollout, int]:
        return effective_rollout(
            desired,
            annotation,
            duration_seconds=duration,
            ingress_ready=True,
            route_ingress_ready=True,
            now=T0,
        )

    assert run(previous, 0) == (desired, 0)
    assert run("garbage", 60) == (desired, 0)
    stepped, _ = run(previous, 60)
    assert shares(stepped) == [("c-1", 99), ("c-2", 1)]


def test_effective_rollout_observes_readiness_only_on_the_switch() -> None:
    started = Rollout.of(
        [config("c", 100, ("c-1", 99), ("c-2", 1), params=StepParams(start_time=T0))]
    )
    desired = Rollout.of([config("c", 100, ("c-2", 100))])
    for ingress_ready, route_ready, computed in (
        (True, False, True),
        (True, True, False),
        (False, False, False),
    ):
        stepped, next_step = effective_rollout(
            desired,
            started.to_json(),
            duration_seconds=5,
            ingress_ready=ingress_ready,
            route_ingress_ready=route_ready,
            now=T0,
        )
        found = stepped.find("", "c")
        assert found is not None
        assert (found.step_params.step_size > 0) is computed
        assert (next_step == T0 + S) is computed


def test_unix_nanos_is_exact() -> None:
    assert (
        unix_nanos(datetime(2026, 1, 1, 0, 0, 0, 123456, tzinfo=UTC)) == 1_767_225_600_123_456_000
    )


def test_configurations_beyond_the_previous_ones_are_kept() -> None:
    previous = Rollout.of([config("a", 50)])
    desired = Rollout.of([config("a", 50), config("b", 50)])
    stepped, _ = desired.step(previous, T0)
    assert [c.configuration_name for c in stepped.configurations] == ["a", "b"]


def test_a_one_percent_share_has_no_steps_to_compute() -> None:
    started = Rollout.of([config("c", 1, ("c-2", 1), params=StepParams(start_time=T0))])
    assert started.observe_ready(T0, 60.0) == started
