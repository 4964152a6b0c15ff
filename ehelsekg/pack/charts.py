"""Charts for the meeting pack, drawn with matplotlib (Agg, no display) as PNG bytes.

Status colours are the data's (``ehk:colour``), handed in with the scale; the PNG carries no
time stamp, so the same data gives the same file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ehelsekg.views.norsk import number

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _pyplot() -> ModuleType:
    """matplotlib's pyplot on the Agg backend, imported when a chart is drawn: it takes a
    third of a second, which the server and the CLI need not spend until then."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # the backend is chosen first

    return plt


def _whole_numbers() -> Any:
    """Ticks at whole numbers only (counts)."""
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def _norwegian() -> Any:
    """Axis numbers as Norwegian write them ("2,5"), whole numbers without decimals."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _pos: number(round(value, 1)).removesuffix(",0"))


@dataclass
class CostTable:
    """One cost-growth table of a report: amounts per solution (by name) and year, with
    totals."""

    dataset: str
    years: list[int]
    solutions: list[str]
    amounts: dict[str, dict[int, Decimal]]
    year_totals: dict[int, Decimal]
    running_totals: dict[int, Decimal]


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    _pyplot().close(figure)
    return buffer.getvalue()


def status_chart(
    segments: list[tuple[str, dict[str, int], dict[str, int]]],
    scale: list[tuple[str, str, str]],
) -> bytes:
    """Active measures per segment, stacked by status (left) and by risk (right)."""
    plt = _pyplot()
    figure, axes = plt.subplots(1, 2, figsize=(9, 3.2), sharey=True)
    names = [name for name, _, _ in segments]
    for axis, by_risk, title in ((axes[0], False, "Status"), (axes[1], True, "Risiko")):
        left = [0] * len(segments)
        for notation, label, colour in scale:
            values = [
                (risk if by_risk else status).get(notation, 0) for _, status, risk in segments
            ]
            axis.barh(
                names, values, left=left, color=colour or "#b0bec5", label=label, edgecolor="white"
            )
            for y, (start, value) in enumerate(zip(left, values, strict=True)):
                if value:
                    axis.text(
                        start + value / 2, y, str(value), ha="center", va="center", fontsize=9
                    )
            left = [a + b for a, b in zip(left, values, strict=True)]
        axis.set_title(title)
        axis.set_xlabel("Aktive tiltak")
        # Counts are whole: ticks 0, 2, 4 … never 2.5.
        axis.xaxis.set_major_locator(_whole_numbers())
        axis.xaxis.set_major_formatter(_norwegian())
        axis.spines[["top", "right"]].set_visible(False)
    axes[0].invert_yaxis()
    axes[1].legend(loc="lower right", fontsize=8, frameon=False)
    return _png(figure)


def cost_chart(table: CostTable) -> bytes:
    """Yearly growth in operating costs per solution (stacked bars) and the running total."""
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(9, 3.6))
    years = table.years
    bottom = [0.0] * len(years)
    colours = plt.get_cmap("tab10")
    for index, solution in enumerate(table.solutions):
        values = [float(table.amounts[solution].get(y, 0)) for y in years]
        axis.bar(
            [str(y) for y in years],
            values,
            bottom=bottom,
            label=solution,
            color=colours(index % 10),
        )
        bottom = [a + b for a, b in zip(bottom, values, strict=True)]
    for x, year in enumerate(years):
        axis.text(
            x,
            float(table.year_totals[year]) + 1,
            number(round(table.year_totals[year])),
            ha="center",
            fontsize=9,
        )
    running = axis.twinx()
    running.plot(
        [str(y) for y in years],
        [float(table.running_totals[y]) for y in years],
        color="#37474f",
        marker="o",
        label="Løpende sum",
    )
    running.set_ylabel("Løpende sum (MNOK)")
    axis.set_ylabel("Vekst per år (MNOK)")
    axis.yaxis.set_major_formatter(_norwegian())
    running.yaxis.set_major_formatter(_norwegian())
    axis.legend(loc="upper left", fontsize=8, frameon=False)
    running.legend(loc="upper right", fontsize=8, frameon=False)
    axis.spines[["top"]].set_visible(False)
    return _png(figure)
