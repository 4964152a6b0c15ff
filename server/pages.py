"""The server's own HTML pages for people (start page, view list, query forms, Norwegian error
pages), rendered from Jinja2 templates in server/templates with autoescaping. What they show is
read from the store by the service (``KnowledgeService.start_page_data`` and its siblings)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, **values: Any) -> str:
    return templates().get_template(name).render(**values)
