"""A view's screens: the whole graph when it fits a projector's first screen at a readable
size, otherwise an overview of groups (by owner, kind of change, …) and one screen per group.

A view is never shrunk to fit: a screen holds at most ``COLUMNS`` columns of ``ROWS`` nodes
from :func:`~ehelsekg.views.model.layered_positions`, which at 1366×768 shows every label at
≥ 12 CSS px (node text 15 px, arrow text 14 px, drawn at a scale of at least 0.86; the browser
test measures it). Each screen's legend lists only what that screen shows.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace

from ehelsekg.views.model import (
    HIGHLIGHT,
    KIND_STYLES,
    NEUTRAL,
    NO_STATUS,
    OUTLINE,
    LegendEntry,
    Page,
    ViewEdge,
    ViewNode,
    apply_positions,
    layered_positions,
    number_key,
    shorten,
)
from ehelsekg.views.norsk import relation

COLUMNS, ROWS = 4, 6
#: Line patterns per relation, so a link's meaning does not rest on colour either.
RELATION_DASHES: dict[str, list[int] | bool] = {
    "conditional on": [10, 5],
    "part of": [2, 5],
    "contributes to": [6, 6],
    "owner": [2, 5],
    "realises": [14, 4, 2, 4],
}
_PLURAL = {
    "Measure": ("tiltak", "tiltak"),
    "PlannedActivity": ("aktivitet", "aktiviteter"),
    "Prerequisite": ("forutsetning", "forutsetninger"),
    "Milestone": ("milepæl", "milepæler"),
    "RoadmapService": ("tjeneste", "tjenester"),
}
_KIND_ORDER = {kind: i for i, kind in enumerate(KIND_STYLES)}


def dashes(edge: ViewEdge) -> list[int] | bool:
    if isinstance(edge.dashes, list) or edge.relation == "dependency":
        return edge.dashes
    return RELATION_DASHES.get(edge.relation, edge.dashes)


def _layout(
    nodes: list[ViewNode], edges: list[ViewEdge], layer_of: Mapping[str, int] | None
) -> bool:
    """Place the nodes; say whether the screen fits without shrinking."""
    ids = {n.id for n in nodes}
    layers = None if layer_of is None else {n: layer_of.get(n, 1) for n in ids}
    by_id = {n.id: n for n in nodes}
    positions = layered_positions(
        [n.id for n in nodes],
        [(e.source, e.target) for e in edges if e.source in ids and e.target in ids],
        key=lambda i: (_KIND_ORDER.get(by_id[i].kind, 99), number_key(by_id[i].label), i),
        layer_of=layers,
        per_column=ROWS,
    )
    apply_positions(nodes, positions)
    columns = Counter(round(x) for x, _ in positions.values())
    return len(columns) <= COLUMNS and max(columns.values(), default=0) <= ROWS


def _screen(
    key: str,
    title: str,
    nodes: Iterable[ViewNode],
    edges: list[ViewEdge],
    layer_of: Mapping[str, int] | None,
) -> tuple[Page, bool]:
    copies = [replace(n) for n in nodes]
    ids = {n.id for n in copies}
    shown = [e for e in edges if e.source in ids and e.target in ids]
    fits = _layout(copies, shown, layer_of)
    copies.sort(key=lambda n: n.id)
    return Page(key, title, copies, shown, legend(copies, shown)), fits


def group_of(node: ViewNode) -> str:
    return node.group or KIND_STYLES.get(node.kind, ("", node.kind))[1]


def _group_node(key: str, members: list[ViewNode], page: str) -> ViewNode:
    kinds = Counter(m.kind for m in members if m.kind not in {"Actor", "Change"})
    parts = []
    for kind, count in sorted(kinds.items(), key=lambda kc: _KIND_ORDER.get(kc[0], 99)):
        one, many = _PLURAL.get(kind, (KIND_STYLES.get(kind, ("", kind))[1].lower(),) * 2)
        parts.append(f"{count} {one if count == 1 else many}")
    statuses = Counter(m.status.lower() for m in members if m.status and not m.muted)
    counts = ", ".join(parts)
    if statuses:
        counts += ": " + ", ".join(f"{n} {name}" for name, n in sorted(statuses.items()))
    node = ViewNode(
        id=f"gruppe:{page}",
        label=f"▸ {shorten(key, 34)}\n{counts}",
        kind="Group",
        opens=page,
        colour="#fff8e1",
        border_width=3,
    )
    node.full_label = key
    node.facts = [
        ("Inneholder", ", ".join(sorted((m.label.split("\n")[0] for m in members), key=number_key)))
    ]
    return node


def paginate(
    title: str,
    nodes: list[ViewNode],
    edges: list[ViewEdge],
    *,
    layer_of: Mapping[str, int] | None = None,
) -> list[Page]:
    """The view's screens: everything on one when it fits, else an overview and one per group."""
    whole, fits = _screen("alt", title, nodes, edges, layer_of)
    if fits:
        return [whole]
    groups: dict[str, list[ViewNode]] = {}
    for node in sorted(nodes, key=lambda n: number_key(n.label)):
        groups.setdefault(group_of(node), []).append(node)
    overview_of: dict[str, str] = {}
    overview_nodes: list[ViewNode] = []
    pages: list[Page] = []
    for index, (key, members) in enumerate(
        sorted(groups.items(), key=lambda kv: number_key(kv[0]))
    ):
        if len(members) == 1:
            overview_of[members[0].id] = members[0].id
            overview_nodes.append(members[0])
            continue
        page_key = f"gruppe-{index + 1}"
        group = _group_node(key, members, page_key)
        overview_nodes.append(group)
        for member in members:
            overview_of[member.id] = group.id
        pages += _group_pages(page_key, key, members, nodes, edges, layer_of)
    overview_edges: dict[tuple[str, str], ViewEdge] = {}
    for edge in edges:
        source, target = overview_of[edge.source], overview_of[edge.target]
        if source == target:
            continue
        known = overview_edges.get((source, target))
        if known is None or edge.width > known.width:
            overview_edges[source, target] = replace(edge, source=source, target=target)
    overview, _ = _screen(
        "oversikt",
        "Oversikt (klikk på en gruppe for å åpne den)",
        overview_nodes,
        list(overview_edges.values()),
        None,
    )
    return [overview, *pages]


def _group_pages(
    page_key: str,
    key: str,
    members: list[ViewNode],
    nodes: list[ViewNode],
    edges: list[ViewEdge],
    layer_of: Mapping[str, int] | None,
) -> list[Page]:
    """One screen for a group with its direct neighbours, split into numbered screens when it
    does not fit. The group's most common kind is split; the others (the actor who owns the
    measures, the kind of change) stay on every screen."""
    by_id = {n.id: n for n in nodes}
    main_kind = Counter(m.kind for m in members).most_common(1)[0][0]
    split = [m for m in members if m.kind == main_kind]
    anchors = [m for m in members if m.kind != main_kind]
    size = len(split)
    while True:
        chunks = [split[i : i + size] for i in range(0, len(split), size)]
        pages = []
        all_fit = True
        for number, chunk in enumerate(chunks, start=1):
            ids = {m.id for m in chunk}
            near = {e.target for e in edges if e.source in ids} | {
                e.source for e in edges if e.target in ids
            }
            shown = [*chunk, *anchors, *(by_id[n] for n in sorted(near - ids))]
            shown_ids = {n.id for n in shown}
            suffix = f" (side {number} av {len(chunks)})" if len(chunks) > 1 else ""
            page, fits = _screen(
                page_key if len(chunks) == 1 else f"{page_key}-{number}",
                key + suffix,
                list({n.id: n for n in shown}.values()),
                [
                    e
                    for e in edges
                    if e.source in shown_ids
                    and e.target in shown_ids
                    and (e.source in ids or e.target in ids or not anchors)
                ],
                layer_of,
            )
            all_fit = all_fit and fits
            pages.append(page)
        if all_fit or size == 1:
            return pages
        size = max(1, min(size - 1, math.ceil(size * 0.6)))


def legend(nodes: list[ViewNode], edges: list[ViewEdge]) -> list[LegendEntry]:
    """Legend rows for what these nodes and edges show, and nothing else."""
    entries: list[LegendEntry] = []
    kinds = {n.kind for n in nodes}
    entries += [
        LegendEntry(name, shape, NEUTRAL, dashes="5 3" if shape == "group" else "")
        for kind, (shape, name) in KIND_STYLES.items()
        if kind in kinds
    ]
    statuses = {(n.status, n.colour) for n in nodes if n.status and not n.muted}
    entries += [
        LegendEntry(f"Status {name.lower()} (fyll)", "box", colour)
        for name, colour in sorted(statuses, key=lambda s: str(s[0]))
        if name
    ]
    if any(n.muted for n in nodes):
        entries.append(
            LegendEntry(
                "Grå med stiplet ramme: avsluttet, pauset, ikke vurdert eller eldre status",
                "box",
                NO_STATUS,
                dashes="6 4",
            )
        )
    risks = {(n.risk, n.risk_colour) for n in nodes if n.risk and not n.muted}
    entries += [
        LegendEntry(f"Risiko {name.lower()} (tykk ramme)", "box", NEUTRAL, colour or OUTLINE)
        for name, colour in sorted(risks, key=lambda s: str(s[0]))
        if name
    ]
    marks = sorted({n.mark for n in nodes if n.mark})
    entries += [LegendEntry(mark, "box", NEUTRAL, HIGHLIGHT) for mark in marks]
    seen: set[tuple[str, str]] = set()
    for edge in sorted(edges, key=lambda e: (e.relation, e.label, e.legend)):
        if edge.legend:
            text = edge.legend
        elif edge.relation == "dependency":
            text = "Avhengighet uten status (stiplet)"
        else:
            text = relation(edge.relation).capitalize()
        if (text, edge.colour) in seen:
            continue
        seen.add((text, edge.colour))
        pattern = dashes(edge)
        entries.append(
            LegendEntry(
                text,
                "line",
                edge.colour,
                edge=True,
                width=min(edge.width, 6),
                dashes=" ".join(map(str, pattern))
                if isinstance(pattern, list)
                else "6 4" * pattern,
            )
        )
    return entries
