"""Go duration strings (``time.ParseDuration``), as Knative's annotations use them.

``serving.knative.dev/rollout-duration`` takes values like ``300s``, ``1h30m``
or ``2.5m``; Knative parses them with Go's rules, so kingress accepts and rejects
exactly the same strings. Durations are whole nanoseconds, as in Go.
"""

from __future__ import annotations

import re
from fractions import Fraction

NANOSECOND = 1
MICROSECOND = 1_000
MILLISECOND = 1_000_000
SECOND = 1_000_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE

_UNITS: dict[str, int] = {
    "ns": NANOSECOND,
    "us": MICROSECOND,
    "\u00b5s": MICROSECOND,  # micro sign
    "\u03bcs": MICROSECOND,  # Greek mu
    "ms": MILLISECOND,
    "s": SECOND,
    "m": MINUTE,
    "h": HOUR,
}
_COMPONENT = re.compile(r"(\d*)(?:\.(\d*))?([^\d.]*)")


def parse_go_duration(text: str) -> int:
    """Nanoseconds in ``text``; raises ``ValueError`` where Go's parser fails.

    A duration is an optional sign and one or more ``<number><unit>`` parts
    (``1h30m``, ``-1.5s``); a bare ``0`` is the only number allowed without a unit.
    """
    rest = text
    negative = False
    if rest[:1] in ("-", "+"):
        negative = rest[0] == "-"
        rest = rest[1:]
    if rest == "0":
        return 0
    if not rest:
        raise ValueError(f"invalid duration {text!r}")
    total = Fraction(0)
    position = 0
    while position < len(rest):
        match = _COMPONENT.match(rest, position)
        if match is None or match.end() == position:
            raise ValueError(f"invalid duration {text!r}")
        whole, fraction, unit = match.groups()
        if not whole and not fraction:
            raise ValueError(f"invalid duration {text!r}")
        if not unit:
            raise ValueError(f"missing unit in duration {text!r}")
        if unit not in _UNITS:
            raise ValueError(f"unknown unit {unit!r} in duration {text!r}")
        value = Fraction(int(whole or "0"))
        if fraction:
            value += Fraction(int(fraction), 10 ** len(fraction))
        total += value * _UNITS[unit]
        position = match.end()
    nanoseconds = int(total)  # Go drops what is below a nanosecond
    return -nanoseconds if negative else nanoseconds
