"""A view as ONE self-contained HTML file: vis-network, the CSS and our script inline.

Each screen of a view (:mod:`ehelsekg.views.pages`) is a ``pyvis.network.Network``; the page is
our own Jinja2 template (``templates/view.html.j2``, autoescaped), because pyvis's own template
loads vis-network from a CDN, inserts the heading unescaped and shows tooltips as HTML. Every
text from the data travels as JSON in a ``<script type="application/json">`` block (with ``<``,
``>`` and ``&`` escaped) and ``view.js`` puts it on the page only as DOM text nodes. A
Content-Security-Policy forbids any request to another host. The vendored vis-network is its
standalone UMD build from npm (Apache-2.0 OR MIT; see ``assets/vis-network.VERSION``).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ehelsekg.views.model import KIND_STYLES, Page, View
from ehelsekg.views.norsk import long_date
from ehelsekg.views.pages import dashes

#: No request leaves the page: scripts and styles are inline, images only data: URIs.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'; form-action 'none'; "
    "base-uri 'none'"
)
NODE_FONT, EDGE_FONT = 15, 14


@cache
def asset(name: str) -> str:
    """A file of ``ehelsekg/views/assets`` as text."""
    return resources.files("ehelsekg.views").joinpath("assets", name).read_text(encoding="utf-8")


@cache
def templates() -> Environment:
    """The Jinja2 templates of the views and the meeting pack, autoescaped."""
    return Environment(
        loader=PackageLoader("ehelsekg.views", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def script_json(document: object) -> str:
    """JSON that is safe inside a <script> element: no '<', '>' or '&' characters.

    >>> script_json({"label": "</script><b>"})
    '{"label": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(document, ensure_ascii=True, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _options() -> dict[str, Any]:
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "keyboard": {"enabled": True, "bindToWindow": False},
            "navigationButtons": False,
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.7}},
            "smooth": {"type": "cubicBezier", "forceDirection": "horizontal", "roundness": 0.45},
            "font": {"size": EDGE_FONT, "align": "middle", "strokeWidth": 4, "color": "#1c1c1c"},
        },
        "nodes": {
            "font": {"size": NODE_FONT, "face": "DejaVu Sans, Arial, sans-serif"},
            "widthConstraint": {"maximum": 220},
            "margin": 8,
            "size": 12,
        },
    }


def page_network(page: Page) -> dict[str, Any]:
    """One screen's nodes, edges and options as a pyvis Network holds them, plus what our
    script shows (facts, sources, links)."""
    from pyvis.network import Network  # imported here: pyvis pulls in IPython

    net = Network(directed=True, cdn_resources="remote")
    for node in page.nodes:
        shape = KIND_STYLES.get(node.kind, ("dot", node.kind))[0]
        extra: dict[str, Any] = {}
        if shape == "pill":
            shape, extra["shapeProperties"] = "box", {"borderRadius": 16}
        elif shape == "group":
            shape, extra["shapeProperties"] = "box", {"borderRadius": 0, "borderDashes": [8, 4]}
        if node.muted:
            extra["shapeProperties"] = {**extra.get("shapeProperties", {}), "borderDashes": [6, 4]}
        net.add_node(
            node.id,
            label=node.label,
            shape=shape,
            color={"background": node.colour, "border": node.border},
            borderWidth=node.border_width,
            x=round(node.x, 1),
            y=round(node.y, 1),
            physics=False,
            **extra,
        )
    for edge in page.edges:
        net.add_edge(
            edge.source,
            edge.target,
            color=edge.colour,
            width=edge.width,
            dashes=dashes(edge),
            label=edge.label,
        )
    net.options = _options()
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    by_id = {node.id: node for node in page.nodes}
    for item in nodes:
        node = by_id[item["id"]]
        item.update(
            kind=node.kind,
            kindName=KIND_STYLES.get(node.kind, ("", node.kind))[1],
            name=node.full_label or node.label,
            status=node.status,
            owner=node.owner,
            facts=node.facts,
            sources=node.sources,
            href=node.href,
            emphasis=node.emphasis,
            opens=node.opens,
        )
        item.pop("title", None)
    for item, edge in zip(edges, page.edges, strict=True):
        item.update(relation=edge.relation, facts=edge.facts)
        item.pop("title", None)
    if isinstance(options, str):  # pyvis serialises a dict of options itself
        options = json.loads(options)
    return {
        "key": page.key,
        "title": page.title,
        "nodes": nodes,
        "edges": edges,
        "options": options,
        "legend": [asdict(entry) for entry in page.legend],
    }


def render_html(view: View, *, generated: date | None = None, made: str | None = None) -> str:
    """The view as one HTML document that loads nothing from anywhere; it says it was made
    ``made`` (text), or on ``generated``, or today."""
    made = made or long_date((generated or date.today()).isoformat())
    if view.timeline is not None:
        from ehelsekg.views.roadmap import render_timeline

        return render_timeline(view, made=made)
    document = {
        "name": view.name,
        "pages": [page_network(page) for page in view.pages],
    }
    return (
        templates()
        .get_template("view.html.j2")
        .render(
            view=view,
            csp=CONTENT_SECURITY_POLICY,
            css=asset("view.css"),
            vis=asset("vis-network.min.js"),
            script=asset("view.js"),
            data=script_json(document),
            made=made,
            rows=[n for n in view.nodes if n.kind not in {"Group"}],
            kind_names={k: v[1] for k, v in KIND_STYLES.items()},
        )
    )
