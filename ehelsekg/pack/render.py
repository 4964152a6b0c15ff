"""The meeting pack as one HTML file (``templates/pack.html.j2``, autoescaped): charts as data:
URIs, goal views as inline SVG, links relative to the pack's folder, Norwegian numbers and
dates throughout."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from decimal import Decimal
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ehelsekg.pack.meeting import MeetingPack, rounded
from ehelsekg.views.html import asset
from ehelsekg.views.norsk import long_date, number

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@cache
def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("ehelsekg.pack", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = number
    env.filters["long_date"] = long_date
    env.filters["rounded"] = rounded
    return env


def _amount(value: Decimal | None) -> str:
    return "" if value is None else number(value)


def _delta(pack: MeetingPack, key: str) -> str:
    """The change of a figure since the baseline, or why there is none."""
    if pack.previous_totals is None:
        return ""
    kind = key.split("-", 1)[0] if "-" in key else "status"
    if kind in {"status", "risk"} and kind not in pack.previous_reported:
        return "ikke rapportert"
    change = pack.totals.get(key, 0) - pack.previous_totals.get(key, 0)
    return f"{change:+d}".replace("-", "−")


def render_pack_html(
    pack: MeetingPack,
    charts: Mapping[str, bytes],
    pictures: Mapping[str, str],
    *,
    made: str,
) -> str:
    """The status report as one HTML file that loads nothing from anywhere."""
    rows = [("active", "Aktive tiltak", "")]
    rows += [(f"status-{n}", f"Status {label.lower()}", c) for n, label, c in pack.scale]
    rows += [(f"risk-{n}", f"Risiko {label.lower()}", c) for n, label, c in pack.scale]
    figures = [
        (key, text, pack.totals.get(key, 0), _delta(pack, key), colour)
        for key, text, colour in rows
    ]
    images = {
        name: "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        for name, png in charts.items()
    }
    return (
        _templates()
        .get_template("pack.html.j2")
        .render(
            pack=pack,
            csp=CSP,
            css=asset("report.css"),
            made=made,
            figures=figures,
            images=images,
            # The SVG comes from our own autoescaped template (ehelsekg/views/static.py).
            pictures={key: Markup(svg) for key, svg in pictures.items()},
            amount=_amount,
        )
    )
