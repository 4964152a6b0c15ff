"""The benchmark results as Markdown: per data set, the operations and the named queries with
medians and ratios (ours ÷ anchor), then the issue's goals, met or missed."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from bench.timing import Timing


def show(timing: Timing, *, megabytes: bool = False) -> str:
    if timing.median is None:
        return timing.note or "—"
    if megabytes:
        return f"{timing.median:,.0f} MB"
    value = timing.median
    text = f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
    return f"{text} (n={timing.runs})" if timing.runs > 1 else text


def ratio(ours: Timing, anchor: Timing) -> str:
    if ours.median is None or anchor.median is None or anchor.median == 0:
        return "—"
    return f"{ours.median / anchor.median:.2f}×"


def _timing(data: Mapping[str, Any]) -> Timing:
    return Timing.from_json(dict(data))


def operations_table(result: Mapping[str, Any]) -> list[str]:
    lines = [
        "| what | ours | anchor | anchor's time | ours ÷ anchor | note |",
        "|---|---|---|---|---|---|",
    ]
    for op in result["operations"]:
        ours = _timing(op["ours"])
        megabytes = op["what"].startswith("memory")
        anchors = op["anchors"] or [["—", {"median": None, "runs": 0, "note": "—"}]]
        for position, (name, data) in enumerate(anchors):
            anchor = _timing(data)
            first = position == 0
            what = op["what"] if first else "″"
            mine = show(ours, megabytes=megabytes) if first else "″"
            note = op["note"] if first else ""
            lines.append(
                f"| {what} | {mine} | {name} | {show(anchor)} | {ratio(ours, anchor)} | {note} |"
            )
    return lines


def queries_table(result: Mapping[str, Any]) -> list[str]:
    lines = [
        "| named query | rows | ours in-process | pyoxigraph direct | ÷ | rdflib engine | ÷"
        " | ours over HTTP | Oxigraph server | ÷ |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for q in result["queries"]:
        ours, direct, rdflib_ = (_timing(q[k]) for k in ("ours", "pyoxigraph", "rdflib"))
        http, server = _timing(q["http"]), _timing(q["oxigraph_server"])
        lines.append(
            f"| {q['name']} | {q['rows']} | {show(ours)} | {show(direct)} | {ratio(ours, direct)}"
            f" | {show(rdflib_)} | {ratio(ours, rdflib_)} | {show(http)} | {show(server)}"
            f" | {ratio(http, server)} |"
        )
    return lines


def _operation(result: Mapping[str, Any], prefix: str) -> Mapping[str, Any] | None:
    return next((op for op in result["operations"] if op["what"].startswith(prefix)), None)


def _worst(result: Mapping[str, Any], ours_key: str, anchor_key: str) -> tuple[int, int, str]:
    """(queries over 1.5×, queries compared, the worst as text)."""
    over, compared, worst, worst_name = 0, 0, 0.0, ""
    for q in result["queries"]:
        ours, anchor = _timing(q[ours_key]), _timing(q[anchor_key])
        if ours.median is None or anchor.median is None or not anchor.median:
            continue
        compared += 1
        factor = ours.median / anchor.median
        over += factor > 1.5
        if factor > worst:
            worst, worst_name = factor, q["name"]
    return over, compared, f"worst {worst_name} {worst:.1f}×" if compared else "not measured"


def _factor(query: Mapping[str, Any], ours_key: str, anchor_key: str) -> float | None:
    ours, anchor = _timing(query[ours_key]), _timing(query[anchor_key])
    if ours.median is None or not anchor.median:
        return None
    return ours.median / anchor.median


def _under(timing: Timing, seconds: float) -> bool | None:
    """Whether a run was under ``seconds``; a run stopped at a longer limit was not."""
    if timing.median is not None:
        return timing.median < seconds
    match = re.match(r"not measured \(>([\d.]+) s\)", timing.note)
    if match and float(match[1]) >= seconds:
        return False
    return None


def goals_table(results: Sequence[Mapping[str, Any]]) -> list[str]:
    by_label = {r["label"]: r for r in results}
    lines = ["| goal | measured | met? |", "|---|---|---|"]

    def row(goal: str, measured: str, met: bool | None) -> None:
        verdict = "not measured" if met is None else ("met" if met else "**missed**")
        lines.append(f"| {goal} | {measured} | {verdict} |")

    for label, result in by_label.items():
        over, compared, worst = _worst(result, "ours", "pyoxigraph")
        row(
            f"every named query in-process within 1.5× of pyoxigraph ({label})",
            f"{compared - over} of {compared} within; {worst}",
            None if not compared else over == 0,
        )
    for label, result in by_label.items():
        over, compared, worst = _worst(result, "http", "oxigraph_server")
        row(
            f"every named query over HTTP within 1.5× of the Oxigraph server ({label})",
            f"{compared - over} of {compared} within; {worst}",
            None if not compared else over == 0,
        )
    for label, result in by_label.items():
        protocol = [q for q in result["queries"] if q["name"].startswith("/sparql ")]
        at_or_ahead = [
            q["name"].removeprefix("/sparql ")
            for q in protocol
            if (f := _factor(q, "http", "oxigraph_server")) is not None and f <= 1.0
        ]
        factors = [_factor(q, "http", "oxigraph_server") for q in protocol]
        known = [f for f in factors if f is not None]
        row(
            f"/sparql protocol queries over HTTP ≤ 1.5× of the Oxigraph server ({label})",
            (
                f"worst {max(known):.2f}×; at or ahead (≤ 1.0×): {', '.join(at_or_ahead) or 'none'}"
                if known
                else "not measured"
            ),
            None if not known else max(known) <= 1.5,
        )
    big = by_label.get("1m")
    if big is None:
        row("every named query at 1M under 1 s", "1m not run (`--sizes 1m`)", None)
    else:
        times = [_timing(q["ours"]).median for q in big["queries"]]
        slowest = max((t for t in times if t is not None), default=None)
        row(
            "every named query at 1M under 1 s",
            f"slowest {show(Timing(slowest, 1))}" if slowest is not None else "—",
            None if slowest is None else slowest < 1.0 and None not in times,
        )
    mid = by_label.get("100k")
    reasoning = _operation(mid, "reasoning") if mid else None
    if reasoning and reasoning["anchors"]:
        ours, anchor = _timing(reasoning["ours"]), _timing(reasoning["anchors"][0][1])
        ok = (
            None
            if ours.median is None or anchor.median is None
            else ours.median <= 3 * anchor.median
        )
        row(
            "reasoning at 100k within 3× of reasonable",
            f"{show(ours)} vs {show(anchor)} = {ratio(ours, anchor)}",
            ok,
        )
    else:
        row("reasoning at 100k within 3× of reasonable", "100k or anchors not run", None)
    validation = _operation(mid, "full validation") if mid else None
    if validation:
        ours = _timing(validation["ours"])
        row(
            "full validation at 100k under 3 s",
            show(ours),
            _under(ours, 3),
        )
    else:
        row("full validation at 100k under 3 s", "100k not run", None)
    real = by_label.get("bundled")
    gate = _operation(real, "update gate") if real else None
    if gate:
        ours = _timing(gate["ours"])
        row(
            "update gate under 300 ms at real size",
            show(ours),
            None if ours.median is None else ours.median < 0.3,
        )
    else:
        row("update gate under 300 ms at real size", "bundled not run", None)
    for prefix, goal in (
        ("start-up", "start-up at real size under 2 s (open_knowledge_graph)"),
        ("server start-up", "start-up at real size under 2 s (server to /health)"),
    ):
        found = _operation(real, prefix) if real else None
        if found:
            ours = _timing(found["ours"])
            row(goal, show(ours), None if ours.median is None else ours.median < 2)
        else:
            row(goal, "not run", None)
    for prefix, goal in (
        ("memory peak: store", "memory under 500 MB at 100k (store + reasoning + queries)"),
        ("memory peak: full validation", "memory under 500 MB at 100k (full validation)"),
        ("memory peak of the server", "memory under 500 MB at 100k (server main process)"),
    ):
        found = _operation(mid, prefix) if mid else None
        if found:
            ours = _timing(found["ours"])
            met = None if ours.median is None else ours.median < 500
            row(goal, show(ours, megabytes=True), met)
        else:
            row(goal, "100k not run", None)
    return lines


def markdown(results: Sequence[Mapping[str, Any]], header: Sequence[str]) -> str:
    lines = ["# ehelsekg benchmarks", "", *header, ""]
    for result in results:
        lines += [
            f"## {result['label']}: {result['triples']:,} asserted triples,"
            f" {result['inferred']:,} inferred",
            "",
            "### Operations",
            "",
            *operations_table(result),
            "",
            "### Named queries (typical parameters; medians)",
            "",
            *queries_table(result),
            "",
        ]
    lines += ["## Goals", "", *goals_table(results), ""]
    return "\n".join(lines)
