"""Choosing a media type from an Accept header (RFC 9110 q-values and wildcards)."""

from __future__ import annotations

from collections.abc import Sequence

from server.errors import ApiError


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    if not header:
        return [("*/*", 1.0)]
    ranges = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0]:
            continue
        quality = 1.0
        for parameter in pieces[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((pieces[0].lower(), quality))
    return ranges


def choose(header: str | None, offered: Sequence[str]) -> str | None:
    """The offered type the client likes best (offer order breaks ties), or None if none."""
    best: tuple[float, int, str] | None = None
    for index, media_type in enumerate(offered):
        major = media_type.split("/")[0]
        quality = 0.0
        specificity = -1
        for pattern, q in parse_accept(header):
            if pattern == media_type:
                level = 2
            elif pattern == f"{major}/*":
                level = 1
            elif pattern == "*/*":
                level = 0
            else:
                continue
            if level > specificity:
                specificity, quality = level, q
        if quality > 0 and (best is None or (quality, -index) > (best[0], -best[1])):
            best = (quality, index, media_type)
    return None if best is None else best[2]


def negotiate(accept: str | None, offered: Sequence[str], what: str) -> str:
    """The media type to answer in, or a 406 naming what was asked and what is offered."""
    media_type = choose(accept, offered)
    if media_type is None:
        raise ApiError(
            406,
            "not-acceptable",
            f"cannot give {what} as {accept}; offered: {', '.join(offered)}",
        )
    return media_type
