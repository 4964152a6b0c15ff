"""Typed parameters of named queries: declared in the .rq header, checked, turned into RDF terms.

A declaration reads ``# param NAME: TYPE[, required][, key=value …] -- help``, and its
Norwegian (bokmål) name and help for the council's pages ``# param@nb NAME: Navn -- hjelpetekst``
(see ``named.py``). Types:

- ``integer`` (``min=``, ``max=``), ``year``, ``string`` (``max-length=``), ``date`` (YYYY-MM-DD);
- ``iri`` — an absolute IRI or a prefixed name of the project (``measure:181``);
- ``report`` — ``YYYY-MM``, ``latest``, or a report's IRI / prefixed name;
- ``measure`` — a portfolio number, or a measure's IRI / prefixed name;
- ``actor`` — an organisation's or actor group's name or abbreviation (any case), or its IRI;
- ``subject`` — a portfolio number, or any IRI / prefixed name;
- ``concept`` (``scheme=ehk:RagScheme``) — a concept's notation or label (any case), or its IRI;
- ``meeting`` — a council meeting's date (YYYY-MM-DD), or its IRI.

Types that name entities are resolved against the graph by the lookup queries in
``queries/lookups/``; a value that matches nothing is an error listing what would.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from ehelsekg.errors import BadParameterError
from ehelsekg.namespaces import all_prefixes

TYPES = (
    "integer",
    "year",
    "string",
    "date",
    "iri",
    "report",
    "measure",
    "actor",
    "subject",
    "concept",
    "meeting",
)

_DECLARATION = re.compile(
    r"^#\s*param\s+(?P<name>[A-Za-z_][\w-]*)\s*:\s*(?P<spec>.*?)\s*(?:\s--\s*(?P<help>.*))?$"
)


@dataclass(frozen=True)
class Parameter:
    """One declared parameter of a named query."""

    name: str
    type: str
    required: bool = False
    default: str | None = None
    options: Mapping[str, str] = field(default_factory=dict)
    help: str = ""
    #: The Norwegian name of the parameter and its help text, for the council's forms.
    label_nb: str = ""
    help_nb: str = ""

    @property
    def variable(self) -> str:
        """The SPARQL variable the value is bound to (``from-year`` binds ``?from_year``)."""
        return self.name.replace("-", "_")

    def describe(self) -> str:
        bits = [self.type]
        if self.required:
            bits.append("required")
        if self.default is not None:
            bits.append(f"default {self.default}")
        bits += [f"{key} {value}" for key, value in self.options.items()]
        return ", ".join(bits)

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "type": self.type,
            "required": self.required,
            "default": self.default,
            "options": dict(self.options),
            "help": self.help,
            "nb": {"label": self.label_nb, "help": self.help_nb},
        }


def parse_declaration(line: str) -> Parameter | None:
    """A :class:`Parameter` from a header line, or None if the line declares none.

    >>> p = parse_declaration("# param goal: integer, required, min=1, max=5 -- Goal number")
    >>> (p.name, p.type, p.required, dict(p.options), p.help)
    ('goal', 'integer', True, {'min': '1', 'max': '5'}, 'Goal number')
    """
    match = _DECLARATION.match(line.strip())
    if not match:
        return None
    parts = [part.strip() for part in match["spec"].split(",") if part.strip()]
    if not parts or parts[0] not in TYPES:
        raise ValueError(
            f"parameter {match['name']!r}: unknown type; use one of {', '.join(TYPES)}"
        )
    required = False
    default = None
    options: dict[str, str] = {}
    for part in parts[1:]:
        if part == "required":
            required = True
        elif "=" in part:
            key, _, value = part.partition("=")
            if key.strip() == "default":
                default = value.strip()
            else:
                options[key.strip()] = value.strip()
        else:
            raise ValueError(f"parameter {match['name']!r}: cannot read {part!r}")
    return Parameter(
        name=match["name"],
        type=parts[0],
        required=required,
        default=default,
        options=options,
        help=(match["help"] or "").strip(),
    )


_NORWEGIAN = re.compile(
    r"^#\s*param@nb\s+(?P<name>[A-Za-z_][\w-]*)\s*:\s*(?P<label>.*?)\s*(?:\s--\s*(?P<help>.*))?$"
)


def parse_norwegian(line: str) -> tuple[str, str, str] | None:
    """(name, Norwegian label, Norwegian help) from a ``# param@nb`` line, or None.

    >>> parse_norwegian("# param@nb goal: Mål -- Det strategiske målets nummer (1–5)")
    ('goal', 'Mål', 'Det strategiske målets nummer (1–5)')
    """
    match = _NORWEGIAN.match(line.strip())
    if not match:
        return None
    if not match["label"]:
        raise ValueError(f"parameter {match['name']!r}: '# param@nb' needs a Norwegian name")
    return match["name"], match["label"], (match["help"] or "").strip()


Resolver = Callable[[Parameter, str], Node]


def expand_iri(value: str) -> URIRef | None:
    """An absolute IRI, or a prefixed name of the project expanded; None if ``value`` is neither."""
    if re.match(r"^[a-z][a-z0-9+.-]*://\S+$", value, re.IGNORECASE):
        if any(c in value for c in '<>"{}|^`\\ '):
            return None
        return URIRef(value)
    prefix, colon, local = value.partition(":")
    if colon and prefix in all_prefixes() and re.fullmatch(r"[\w.\-/%]*", local):
        return URIRef(all_prefixes()[prefix] + local)
    return None


def convert(parameter: Parameter, raw: str, resolve: Resolver) -> Node:
    """Check ``raw`` against the parameter's type and return it as an RDF term."""
    kind = parameter.type
    if kind in ("integer", "year"):
        if not re.fullmatch(r"-?\d+", raw.strip()):
            raise _bad(parameter, raw, "a whole number")
        number = int(raw)
        low = int(parameter.options.get("min", 1000 if kind == "year" else -(10**12)))
        high = int(parameter.options.get("max", 2200 if kind == "year" else 10**12))
        if not low <= number <= high:
            raise _bad(parameter, raw, f"a whole number from {low} to {high}")
        return Literal(number)
    if kind == "string":
        limit = int(parameter.options.get("max-length", 200))
        if len(raw) > limit:
            raise _bad(parameter, raw[:40] + "…", f"text of at most {limit} characters")
        return Literal(raw)
    if kind == "date":
        try:
            return Literal(date.fromisoformat(raw.strip()), datatype=XSD.date)
        except ValueError:
            raise _bad(parameter, raw, "a date as YYYY-MM-DD") from None
    if kind == "iri":
        iri = expand_iri(raw.strip())
        if iri is None:
            raise _bad(parameter, raw, "an absolute IRI or a prefixed name such as measure:181")
        return iri
    return resolve(parameter, raw.strip())


def _bad(parameter: Parameter, raw: str, expected: str) -> BadParameterError:
    return BadParameterError(
        f"parameter '{parameter.name}': {raw!r} is not {expected}"
        f" ({parameter.help or parameter.type})"
    )


def no_match(parameter: Parameter, raw: str, allowed: list[str]) -> BadParameterError:
    """The error for a value that names nothing, with the closest allowed values."""
    close = difflib.get_close_matches(raw, allowed, n=5, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    listing = ", ".join(allowed[:30]) + (" …" if len(allowed) > 30 else "")
    return BadParameterError(
        f"parameter '{parameter.name}': nothing matches {raw!r}{hint} Allowed values: {listing}"
    )
