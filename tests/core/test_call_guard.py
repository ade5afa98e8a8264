"""``CallGuard``: backend calls with a deadline, and a bound on the ones left hanging.

Hanging calls block on an ``Event`` the test releases at the end, so no thread
outlives its test; deadlines are short and only ever waited out by a call
that cannot finish in time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from kingress.ingress.guard import BackendAborted, CallGuard, Overdue

DEADLINE = 0.2


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """An event hung calls wait on; set when the test ends, so their threads finish."""
    event = threading.Event()
    yield event
    event.set()


def hung(release: threading.Event) -> bool:
    """Wait far past every deadline here (finite, so a broken guard fails, not hangs)."""
    return release.wait(20)


def test_a_call_that_returns_in_time_gives_its_value() -> None:
    assert CallGuard(DEADLINE).call("b", "translate", lambda: 42) == 42


def test_an_exception_is_raised_in_the_caller() -> None:
    def fail() -> None:
        raise KeyError("status")

    with pytest.raises(KeyError, match="status"):
        CallGuard(DEADLINE).call("b", "translate", fail)


@pytest.mark.parametrize("error", [SystemExit(3), KeyboardInterrupt(), GeneratorExit()])
def test_a_base_exception_from_plugin_code_becomes_an_ordinary_failure(
    error: BaseException,
) -> None:
    def abort() -> None:
        raise error

    with pytest.raises(BackendAborted) as caught:
        CallGuard(DEADLINE).call("b", "translate", abort)
    assert caught.value.original is error


def test_a_hung_call_is_abandoned_at_the_deadline_and_counted_until_it_returns(
    release: threading.Event,
) -> None:
    guard = CallGuard(DEADLINE, max_overdue=2)
    with pytest.raises(Overdue, match=r"backend slow: translate did not return within 0.2s"):
        guard.call("slow", "translate", lambda: hung(release))
    assert guard.overdue("slow") == 1
    assert guard.overdue("other") == 0
    release.set()
    for thread in threading.enumerate():
        if thread.name == "kingress-slow-translate":
            thread.join(5)
    assert guard.overdue("slow") == 0


def test_once_enough_calls_hang_further_ones_are_refused_without_a_thread(
    release: threading.Event,
) -> None:
    guard = CallGuard(DEADLINE, max_overdue=2)
    for _ in range(2):
        with pytest.raises(Overdue, match="did not return"):
            guard.call("b", "translate", lambda: hung(release))
    threads = threading.active_count()
    calls: list[str] = []
    with pytest.raises(Overdue, match=r"2 earlier calls are still running past the 0.2s deadline"):
        guard.call("b", "check_ready", lambda: calls.append("called"))
    assert (calls, threading.active_count()) == ([], threads)
    assert guard.call("other", "translate", lambda: "fine") == "fine"


def test_worker_threads_are_daemons(release: threading.Event) -> None:
    with pytest.raises(Overdue):
        CallGuard(DEADLINE).call("daemon", "translate", lambda: hung(release))
    [worker] = [t for t in threading.enumerate() if t.name == "kingress-daemon-translate"]
    assert worker.daemon


@pytest.mark.parametrize(
    ("deadline", "max_overdue", "idle_timeout"), [(0, 1, 1), (-1, 1, 1), (1, 0, 1), (1, 1, 0)]
)
def test_nonsense_settings_are_refused(
    deadline: float, max_overdue: int, idle_timeout: float
) -> None:
    with pytest.raises(ValueError, match="deadline must be positive"):
        CallGuard(deadline, max_overdue, idle_timeout)


def test_calls_that_return_in_time_reuse_one_worker_thread() -> None:
    guard = CallGuard(DEADLINE)
    threads = {guard.call("b", "translate", threading.get_ident) for _ in range(5)}
    assert len(threads) == 1
    assert threads != {threading.get_ident()}


def test_concurrent_calls_each_get_a_worker() -> None:
    guard = CallGuard(DEADLINE)
    both = threading.Barrier(2, timeout=5)
    results: list[int] = []

    def meet() -> int:
        both.wait()  # only returns once two calls run at the same time
        return threading.get_ident()

    caller = threading.Thread(target=lambda: results.append(guard.call("b", "translate", meet)))
    caller.start()
    results.append(guard.call("b", "translate", meet))
    caller.join(5)
    assert len(set(results)) == 2


def test_a_worker_whose_call_was_abandoned_serves_no_further_call(
    release: threading.Event,
) -> None:
    guard = CallGuard(DEADLINE)
    hung_in: list[int] = []

    def hang() -> bool:
        hung_in.append(threading.get_ident())
        return hung(release)

    with pytest.raises(Overdue):
        guard.call("b", "translate", hang)
    assert guard.call("b", "translate", threading.get_ident) != hung_in[0]
    release.set()
    for thread in threading.enumerate():
        if thread.ident == hung_in[0]:
            thread.join(5)
            assert not thread.is_alive()
    assert guard.overdue("b") == 0


def test_an_idle_worker_ends_after_the_idle_timeout_and_a_new_one_serves() -> None:
    guard = CallGuard(DEADLINE, idle_timeout=0.05)
    first = guard.call("b", "translate", threading.get_ident)
    [worker] = [t for t in threading.enumerate() if t.ident == first]
    worker.join(5)
    assert not worker.is_alive()
    assert guard.call("b", "translate", lambda: 42) == 42
