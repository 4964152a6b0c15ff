"""A view as ONE self-contained HTML file: vis-network, the CSS and our script inline.

pyvis assembles the nodes, edges and options; the page is our own template
(``assets/view.html``), because pyvis's own template loads vis-network from a CDN, inserts
the heading unescaped and shows tooltips as HTML. Here every text from the data travels as
JSON in a ``<script type="application/json">`` block (with ``<``, ``>`` and ``&`` escaped) and
``view.js`` puts it on the page only as DOM text nodes. A Content-Security-Policy forbids any
request to another host. The vendored vis-network is vis-network's standalone UMD build from
npm (Apache-2.0 OR MIT; see ``assets/vis-network.VERSION``).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import asdict
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from ehelsekg.views.model import KIND_STYLES, View

#: No request leaves the page: scripts and styles are inline, images only data: URIs.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'; form-action 'none'; "
    "base-uri 'none'"
)

_TOKEN = re.compile(r"@@(TITLE|CSP|CSS|VIS|DATA|SCRIPT)@@")


@cache
def asset(name: str) -> str:
    """A file of ``ehelsekg/views/assets`` as text."""
    return resources.files("ehelsekg.views").joinpath("assets", name).read_text(encoding="utf-8")


def script_json(document: object) -> str:
    """JSON that is safe inside a <script> element: no '<', '>' or '&' characters.

    >>> script_json({"label": "</script><b>"})
    '{"label": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(document, ensure_ascii=True, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def fill(template: str, values: dict[str, str]) -> str:
    """Replace ``@@NAME@@`` tokens in one pass (so inserted text is never scanned again)."""
    return _TOKEN.sub(lambda m: values[m.group(1)], template)


def _options(view: View) -> dict[str, Any]:
    smooth: object = (
        False
        if view.axis
        else {"type": "cubicBezier", "forceDirection": "horizontal", "roundness": 0.45}
    )
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "interaction": {"hover": True, "tooltipDelay": 150, "keyboard": True},
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.7}},
            "smooth": smooth,
            "font": {"size": 12, "align": "middle", "strokeWidth": 4},
        },
        "nodes": {
            "font": {"size": 14, "face": "DejaVu Sans, Arial, sans-serif"},
            "widthConstraint": {"maximum": 230},
            "margin": 8,
        },
    }


def network_data(view: View) -> dict[str, Any]:
    """Nodes, edges and options as pyvis assembles them, plus what our script shows."""
    from pyvis.network import Network  # imported here: pyvis pulls in IPython

    net = Network(directed=True, cdn_resources="remote")
    for node in view.nodes:
        shape = KIND_STYLES.get(node.kind, ("dot", node.kind))[0]
        extra: dict[str, Any] = {}
        if node.width is not None:
            extra["widthConstraint"] = {"minimum": node.width, "maximum": node.width}
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
    for edge in view.edges:
        net.add_edge(
            edge.source,
            edge.target,
            color=edge.colour,
            width=edge.width,
            dashes=edge.dashes,
            label=edge.label,
        )
    net.options = _options(view)
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    by_id = {node.id: node for node in view.nodes}
    for item in nodes:
        node = by_id[item["id"]]
        item.update(
            kind=node.kind,
            kindName=KIND_STYLES.get(node.kind, ("", node.kind))[1],
            status=node.status,
            owner=node.owner,
            facts=node.facts,
            sources=node.sources,
            href=node.href,
            emphasis=node.emphasis,
        )
        item.pop("title", None)
    for item, edge in zip(edges, view.edges, strict=True):
        item.update(relation=edge.relation, facts=edge.facts)
        item.pop("title", None)
    if isinstance(options, str):  # pyvis serialises a dict of options itself
        options = json.loads(options)
    return {"nodes": nodes, "edges": edges, "options": options}


def render_html(view: View, *, generated: date | None = None) -> str:
    """The view as one HTML document that loads nothing from anywhere."""
    document = {
        "name": view.name,
        "title": view.title,
        "description": view.description,
        "reports": view.reports,
        "banner": view.banner,
        "legend": [asdict(entry) for entry in view.legend],
        "axis": [{"x": x, "label": label} for x, label in view.axis],
        "generated": (generated or date.today()).isoformat(),
        **network_data(view),
    }
    return fill(
        asset("view.html"),
        {
            "TITLE": html.escape(view.title),
            "CSP": html.escape(CONTENT_SECURITY_POLICY),
            "CSS": asset("view.css"),
            "VIS": asset("vis-network.min.js"),
            "DATA": script_json(document),
            "SCRIPT": asset("view.js"),
        },
    )
