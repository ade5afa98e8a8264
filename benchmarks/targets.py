"""The targets, checked against what the runs measured, and the table that shows both.

Targets (issue 11, on the 2-core benchmark machine): scale — 10,000 Services
through the full pipeline in <= 20 s per backend, peak RSS <= 1 GiB,
translation <= 5x its serialisation floor; incremental — O(1) objects written
(the same count at every N); Envoy serves a changed split in p50 <= 50 ms at
1,000 Routes and <= 500 ms at 10,000; cold start — 10,000 Routes Ready again in
<= 60 s; time to ready — p95 <= 1 s. A run that did not produce a result
fails every target it carries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

GIB = 2**30


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table: a measured value, and the target it is held to (if any)."""

    case: str
    metric: str
    value: str
    target: str = ""
    passed: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return asdict(self)

    @property
    def verdict(self) -> str:
        """``pass``, ``MISS`` or empty (no target)."""
        return "" if self.passed is None else ("pass" if self.passed else "MISS")


def _check(value: float, limit: float) -> bool:
    return value <= limit


def _scale(
    params: dict[str, Any], result: dict[str, Any], smallest: dict[str, tuple[int, int]]
) -> list[Row]:
    case = f"scale {params['backend']} N={params['n']}"
    full = params["n"] >= 10_000
    if "error" in result:
        return [
            Row(
                case,
                "pipeline",
                result["error"],
                "<= 20 s" if full else "",
                False if full else None,
            )
        ]
    seconds, rss = result["seconds"], result["peak_rss_bytes"]
    translation = result["translation"]
    incremental = result["incremental"]
    extra = _envoy_update(params, result["envoy_update"]) if "envoy_update" in result else []
    counts = (incremental["translations"], incremental["writes"])
    expected = smallest[params["backend"]]
    return [
        Row(
            case,
            "pipeline wall (cpu) s",
            f"{seconds:.1f} ({result['cpu_seconds']:.1f})",
            "<= 20 s" if full else "",
            _check(seconds, 20) if full else None,
        ),
        Row(case, "objects, objects/s", f"{result['objects']}, {result['objects_per_second']:.0f}"),
        Row(case, "Services Ready", f"{result['ready_services']}/{params['n']}"),
        Row(
            case,
            "peak RSS MiB",
            f"{rss / 2**20:.0f}",
            "<= 1024" if full else "",
            _check(rss, GIB) if full else None,
        ),
        Row(case, "pipeline / JSON floor", f"{result['floor_ratio']:.0f}x"),
        _translation_row(case, translation),
        Row(
            case,
            "one change: translations, writes",
            f"{counts[0]}, {counts[1]}",
            f"O(1): {expected[0]}, {expected[1]} as at the smallest N",
            counts == expected,
        ),
        *extra,
    ]


def _translation_row(case: str, translation: dict[str, Any]) -> Row:
    refused = f" ({translation['refused']} refused)" if translation["refused"] else ""
    if not translation["objects"]:
        return Row(case, "translate / JSON floor", f"n/a{refused}", "<= 5x")
    value = f"{translation['ratio']:.1f}x{refused}"
    return Row(case, "translate / JSON floor", value, "<= 5x", _check(translation["ratio"], 5))


def _envoy_update(params: dict[str, Any], result: dict[str, Any]) -> list[Row]:
    limit = 50.0 if params["n"] <= 1000 else 500.0
    case = f"envoy-update N={params['n']}"
    target = f"p50 <= {limit:.0f} ms"
    if "error" in result:
        return [Row(case, "change → served", result["error"], target, False)]
    served = result["served"]
    return [
        Row(case, "controllers p50/p99 ms", _pair(result["controllers"])),
        Row(case, "Envoy accepted p50/p99 ms", _pair(result["envoy_accepted"])),
        Row(case, "change → served p50/p99 ms", _pair(served), target, served["p50_ms"] <= limit),
    ]


def _cold_start(params: dict[str, Any], result: dict[str, Any]) -> list[Row]:
    case = f"cold-start N={params['n']}"
    full = params["n"] >= 10_000
    target, verdict = ("<= 60 s", False) if full else ("", None)
    if "error" in result:
        return [Row(case, "Ready again", result["error"], target, verdict)]
    rows = []
    for mode in ("offline", "manager"):
        if mode not in result:
            continue
        measured = result[mode]
        cpu = f"cpu {measured['cpu_seconds']:.1f}"
        if "server_cpu_seconds" in measured:
            cpu += f", server cpu {measured['server_cpu_seconds']:.1f}"
        ready = f"{measured['ready_routes']}/{result['routes']} Ready"
        value = f"{measured['seconds']:.1f} ({cpu}), {ready}"
        passed = _check(measured["seconds"], 60) and measured["ready_routes"] == result["routes"]
        metric = f"{mode}: s (cpu s), Routes Ready"
        rows.append(Row(case, metric, value, target, passed if full else None))
    return rows


def _time_to_ready(params: dict[str, Any], result: dict[str, Any]) -> list[Row]:
    case = f"time-to-ready every {params.get('interval', 0.1) * 1000:.0f} ms"
    if "error" in result or not result.get("served"):
        return [
            Row(
                case,
                "create → first 200",
                result.get("error", "none served"),
                "p95 <= 1000 ms",
                False,
            )
        ]
    served = f"{result['served']}/{result['created']} served"
    value = f"{result['p50_ms']:.0f} / {result['p95_ms']:.0f} ({served})"
    return [
        Row(
            case,
            "create → first 200 p50/p95 ms",
            value,
            "p95 <= 1000 ms",
            result["p95_ms"] <= 1000 and result["served"] == result["created"],
        )
    ]


def _data_plane(params: dict[str, Any], result: dict[str, Any]) -> list[Row]:
    case = f"data-plane {params['threads']} connections"
    if "error" in result:
        return [Row(case, "requests", result["error"])]
    return [
        Row(
            case,
            f"{path}: req/s, p50/p99 ms",
            f"{result[path]['requests_per_second']:.0f}, {_pair(result[path])}",
        )
        for path in ("direct", "envoy")
    ]


def _pair(stats: dict[str, float]) -> str:
    return f"{stats['p50_ms']:.1f} / {stats['p99_ms']:.1f}"


def evaluate(runs: list[dict[str, Any]]) -> list[Row]:
    """Every row of the table, in the order the runs were made."""
    smallest: dict[str, tuple[int, int]] = {}
    for run in sorted(runs, key=lambda r: r["params"].get("n", 0)):
        if run["scenario"] == "scale" and "error" not in run["result"]:
            incremental = run["result"]["incremental"]
            counts = (incremental["translations"], incremental["writes"])
            smallest.setdefault(run["params"]["backend"], counts)
    rows: list[Row] = []
    for run in runs:
        params, result = run["params"], run["result"]
        if run["scenario"] == "scale":
            rows += _scale(params, result, smallest)
            continue
        builders: dict[str, Callable[[dict[str, Any], dict[str, Any]], list[Row]]] = {
            "envoy-update": _envoy_update,
            "cold-start": _cold_start,
            "time-to-ready": _time_to_ready,
            "data-plane": _data_plane,
        }
        rows += builders[run["scenario"]](params, result)
    return rows


def table(rows: list[Row]) -> str:
    """A plain-text table of ``rows``."""
    header = Row("case", "metric", "value", "target")
    widths = [
        max(len(getattr(row, column)) for row in [header, *rows])
        for column in ("case", "metric", "value", "target")
    ]
    lines = []
    for row in [header, *rows]:
        cells = [row.case, row.metric, row.value, row.target]
        verdict = "result" if row is header else row.verdict
        lines.append(
            "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
            + f"  {verdict}"
        )
    return "\n".join(lines)
