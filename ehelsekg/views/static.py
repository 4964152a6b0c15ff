"""A view as a static SVG picture, for print: the meeting pack puts one in its HTML so that a
printed or PDF copy carries the goal views, not just links to them.

The same layered layout as on screen, but the whole view at once (a sheet of paper cannot
open a group), scaled to the page width by the SVG's viewBox. Text is wrapped here, since
SVG does not wrap; everything is drawn by the autoescaped template ``static.svg.j2``.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, replace

from ehelsekg.views.model import KIND_STYLES, OUTLINE, View, layered_positions, number_key
from ehelsekg.views.pages import dashes

FONT, LINE, CHAR = 15.0, 18.0, 8.2
INSIDE = {"box", "pill", "ellipse", "group", "database", "circle"}


@dataclass
class Shape:
    """One node as the template draws it."""

    kind_name: str
    shape: str
    x: float
    y: float
    width: float
    height: float
    lines: list[str]
    fill: str
    stroke: str
    stroke_width: int
    dashed: bool
    text_y: float
    text_fill: str
    text_width: float


@dataclass
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str
    width: int
    dasharray: str


def text_colour(fill: str) -> str:
    """Dark text on a light fill, white on a dark one (contrast at least 4.5:1).

    >>> text_colour("#1b5e20"), text_colour("#fff59d")
    ('#ffffff', '#1c1c1c')
    """
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", fill):
        return "#1c1c1c"

    def linear(part: str) -> float:
        c = int(part, 16) / 255
        return c / 12.92 if c <= 0.03928 else float(((c + 0.055) / 1.055) ** 2.4)

    r, g, b = (linear(fill[i : i + 2]) for i in (1, 3, 5))
    return "#1c1c1c" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.18 else "#ffffff"


def _lines(label: str) -> list[str]:
    out: list[str] = []
    for part in label.split("\n"):
        out += textwrap.wrap(part, width=32) or [""]
    return out


def static_svg(view: View, *, title: str = "") -> str:
    """The whole view as one SVG document (no script, no external reference)."""
    from ehelsekg.views.html import templates

    # On paper the owners go on their measures' labels instead of being nodes of their own:
    # the picture is then narrow enough to print at a readable size.
    owned = {e.target for e in view.edges if e.relation == "owner"}
    nodes = [replace(n) for n in view.nodes if not (n.kind == "Actor" and n.group and owned)]
    for node in nodes:
        if node.id in owned and node.owner:
            node.label += f"\n{node.owner}"
    by_id = {n.id: n for n in nodes}
    edges = [e for e in view.edges if e.source in by_id and e.target in by_id]
    positions = layered_positions(
        list(by_id),
        [(e.source, e.target) for e in edges],
        key=lambda i: (number_key(by_id[i].label), i),
        per_column=16,
        dy=104.0,
    )
    shapes: dict[str, Shape] = {}
    for node in nodes:
        x, y = positions[node.id]
        shape = KIND_STYLES.get(node.kind, ("dot", node.kind))[0]
        lines = _lines(node.label)
        width = text_width = max(len(line) for line in lines) * CHAR + 16
        if shape in INSIDE:
            height = len(lines) * LINE + 12
            text_y = y - height / 2 + 6 + FONT
        else:
            width, height = 24.0, 24.0
            text_y = y + 12 + 4 + FONT
        shapes[node.id] = Shape(
            kind_name=KIND_STYLES.get(node.kind, ("", node.kind))[1],
            shape=shape,
            x=x,
            y=y,
            width=width,
            height=height,
            lines=lines,
            fill=node.colour,
            stroke=node.border,
            stroke_width=max(1, node.border_width),
            dashed=node.muted,
            text_y=text_y,
            text_fill=text_colour(node.colour) if shape in INSIDE else "#1c1c1c",
            text_width=text_width,
        )
    links: list[Line] = []
    for edge in edges:
        a, b = shapes[edge.source], shapes[edge.target]
        pattern = dashes(edge)
        links.append(
            Line(
                a.x + a.width / 2 if a.shape in INSIDE else a.x + 12,
                a.y,
                b.x - b.width / 2 - 4 if b.shape in INSIDE else b.x - 16,
                b.y,
                edge.colour,
                min(edge.width, 6),
                " ".join(map(str, pattern)) if isinstance(pattern, list) else "6 4" * pattern,
            )
        )
    left = min(s.x - max(s.width, s.text_width) / 2 for s in shapes.values()) - 20
    right = max(s.x + max(s.width, s.text_width) / 2 for s in shapes.values()) + 20
    top = min(s.y - s.height / 2 for s in shapes.values()) - 20
    bottom = max(s.text_y + LINE * len(s.lines) for s in shapes.values()) + 10
    return (
        templates()
        .get_template("static.svg.j2")
        .render(
            title=title or view.title,
            box=(left, top, right - left, bottom - top),
            shapes=list(shapes.values()),
            lines=links,
            outline=OUTLINE,
            font=FONT,
            line=LINE,
        )
    )
