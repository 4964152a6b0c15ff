"""What can be wrong with a returned workbook: unreadable files, and cells that break a rule."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ehelsekg.errors import EhelsekgError


class RoundReadError(EhelsekgError):
    """A returned file cannot be read as a round (not a workbook, a formula, a renamed column…).

    The message names the file and the sheet, line or cell.
    """

    exit_code = 2


@dataclass(frozen=True)
class CellProblem:
    """One problem, located at a cell (or a row, when no one column is to blame)."""

    file: str
    sheet: str
    row: int | None
    column: str | None
    cell: str | None
    value: str | None
    message: str
    hint: str
    severity: str = "Violation"

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    def text(self) -> str:
        """``runde.xlsx, Tiltak, rad 14, Status: «Lilla» er ikke en av Grønn, Gul, Rød``."""
        where = [self.file, self.sheet]
        if self.row is not None:
            where.append(f"rad {self.row}")
        head = ", ".join(part for part in where if part) or "Runden"
        column = f", {self.column}" if self.column else ""
        level = "" if self.severity == "Violation" else f" [{_SEVERITY_NB.get(self.severity, '')}]"
        return f"{head}{column}: {self.message}{level}. {self.hint}".rstrip()


_SEVERITY_NB = {"Warning": "advarsel", "Info": "merknad"}
