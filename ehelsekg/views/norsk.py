"""Numbers, dates and the network's relation names as a Norwegian (bokmål) reader expects them.

The views and the meeting pack show everything through these functions, so "2.4" never
reaches a council member as an English number and "requires" never as an English word.
"""

from __future__ import annotations

import re
from decimal import Decimal

MONTHS = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)

#: The dependency network's relation names (ehelsekg.analysis.network) in bokmål.
RELATIONS = {
    "requires": "krever",
    "realises": "realiserer",
    "conditional on": "betinget av",
    "part of": "del av",
    "contributes to": "bidrar til",
    "dependency": "avhengighet",
    "owner": "eier",
    "change": "endring",
}

#: The analysis's notes on missing dates, in bokmål (the analysis speaks to architects).
_NOTES = (
    (
        re.compile(r"no start year in the data: scheduled as done by the end of (\d{4})"),
        r"uten startår i dataene: regnet som ferdig innen utgangen av \1",
    ),
    (
        re.compile(r"no end year in the data: only its start \((\d{4})\) is known"),
        r"uten sluttår i dataene: bare starten (\1) er kjent",
    ),
    (re.compile(r"no dates in the data"), "ingen datoer i dataene"),
)


def relation(name: str) -> str:
    """The relation's bokmål name.

    >>> relation("conditional on"), relation("requires")
    ('betinget av', 'krever')
    """
    return RELATIONS.get(name, name)


def note(text: str) -> str:
    """An analysis note in bokmål.

    >>> note("no end year in the data: only its start (2023) is known")
    'uten sluttår i dataene: bare starten (2023) er kjent'
    """
    for pattern, replacement in _NOTES:
        text = pattern.sub(replacement, text)
    return text


def number(value: Decimal | float | int, decimals: int | None = None) -> str:
    """A number with decimal comma and a non-breaking space between thousands.

    >>> number(Decimal("2.4")), number(12345), number(Decimal("32.80")), number(2.456, 1)
    ('2,4', '12\\xa0345', '32,8', '2,5')
    """
    if decimals is not None:
        text = f"{Decimal(str(value)):,.{decimals}f}"
    elif isinstance(value, Decimal):
        text = f"{value.normalize():,f}"
    else:
        text = f"{value:,}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", "\xa0")


def long_date(iso: str) -> str:
    """An ISO date (or YYYY-MM) as "20. mai 2021" (or "mai 2021").

    >>> long_date("2021-05-20"), long_date("2022-09"), long_date("2022")
    ('20. mai 2021', 'september 2022', '2022')
    """
    match = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?.*", iso or "")
    if not match:
        return iso
    year, month, day = match.groups()
    if month is None:
        return year
    name = MONTHS[int(month) - 1]
    return f"{int(day)}. {name} {year}" if day else f"{name} {year}"
