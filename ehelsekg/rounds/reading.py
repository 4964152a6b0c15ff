"""Reading returned files: xlsx workbooks (openpyxl) and CSV files with the same columns.

Only plain values are read. A formula, a hidden sheet, a renamed or missing column, a file that
is no workbook or is too large are refused with the file and the sheet, line or cell named
(RoundReadError, exit code 2): a round is never read from what the owner did not see.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from ehelsekg.rounds.mapping import RoundMapping, TableMap
from ehelsekg.rounds.problems import RoundReadError

#: The largest file read, in bytes: a portfolio round is a few hundred kilobytes.
MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Cell:
    """A cell's text as the owner wrote it, and where it is."""

    text: str
    coordinate: str


@dataclass
class Row:
    """One data row: its line in the sheet (1-based, the header is line 1) and its cells."""

    line: int
    cells: dict[str, Cell]


@dataclass
class Sheet:
    """The rows of one sheet (or CSV file) mapped by one table of the mapping."""

    file: str
    table: TableMap
    rows: list[Row] = field(default_factory=list)


@dataclass
class Upload:
    """A returned file: its name as the owner knows it, and its bytes."""

    name: str
    data: bytes

    @classmethod
    def from_path(cls, path: Path) -> Upload:
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise RoundReadError(_too_large(path.name, size))
            return cls(path.name, path.read_bytes())
        except OSError as err:
            raise RoundReadError(f"{path.name}: kan ikke leses ({err.strerror})") from err


@dataclass
class RoundFiles:
    """Everything read from the files of one round, and the report it says it is for."""

    sheets: list[Sheet]
    report: str | None = None
    date: str | None = None


def _too_large(name: str, size: int) -> str:
    return (
        f"{name}: filen er {size / 1024 / 1024:.1f} MB, over grensen på"
        f" {MAX_FILE_BYTES // 1024 // 1024} MB; send bare arkene i malen, uten bilder og vedlegg"
    )


def read_files(uploads: list[Upload], mapping: RoundMapping) -> RoundFiles:
    """Read every upload; a workbook's report and date come from its document properties."""
    found = RoundFiles(sheets=[])
    for upload in uploads:
        if len(upload.data) > MAX_FILE_BYTES:
            raise RoundReadError(_too_large(upload.name, len(upload.data)))
        if upload.name.lower().endswith(".csv"):
            found.sheets.append(read_csv(upload, mapping))
            continue
        sheets, report, date = read_workbook(upload, mapping)
        found.sheets += sheets
        found.report = found.report or report
        found.date = found.date or date
    return found


def read_workbook(
    upload: Upload, mapping: RoundMapping
) -> tuple[list[Sheet], str | None, str | None]:
    name = upload.name
    if not zipfile.is_zipfile(io.BytesIO(upload.data)):
        raise RoundReadError(
            f"{name}: er ikke en Excel-arbeidsbok (.xlsx); lagre filen som .xlsx eller CSV"
        )
    try:
        book = load_workbook(io.BytesIO(upload.data), data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise RoundReadError(
            f"{name}: er ikke en Excel-arbeidsbok (.xlsx) som kan leses ({err})"
        ) from err
    sheets: list[Sheet] = []
    for worksheet in book.worksheets:
        if worksheet.sheet_state != "visible":
            raise RoundReadError(
                f"{name}, ark {worksheet.title}: arket er skjult; vis det eller slett det, så"
                " alt som leses inn er synlig for den som fylte ut"
            )
    for table in mapping.tables:
        if table.sheet not in book.sheetnames:
            if table.required:
                raise RoundReadError(f"{name}: arket {table.sheet} mangler")
            continue
        worksheet = book[table.sheet]
        rows = [list(r) for r in worksheet.iter_rows()]
        header = [_cell_text(c.value) for c in rows[0]] if rows else []
        positions = _header_positions(
            header,
            table,
            lambda i: f"celle {get_column_letter(i + 1)}1",
            where=f"{name}, {table.sheet}",
        )
        sheet = Sheet(name, table)
        for line, cells in enumerate(rows[1:], start=2):
            for cell in cells:
                if cell.data_type == "f" or (
                    isinstance(cell.value, str) and cell.value.startswith("=")
                ):
                    raise RoundReadError(
                        f"{name}, {table.sheet}, celle {cell.coordinate}: inneholder formelen"
                        f" «{cell.value}»; skriv inn verdien i stedet"
                    )
            values = {
                column: Cell(_cell_text(cells[i].value), cells[i].coordinate)
                for column, i in positions.items()
                if i < len(cells)
            }
            if any(c.text for c in values.values()):
                sheet.rows.append(Row(line, values))
        sheets.append(sheet)
    props = {p.name: str(p.value) for p in book.custom_doc_props.props}
    return sheets, props.get("ehelsekg-report"), props.get("ehelsekg-date")


def read_csv(upload: Upload, mapping: RoundMapping) -> Sheet:
    """A CSV file (UTF-8, comma or semicolon) whose header is the columns of one sheet."""
    try:
        text = upload.data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise RoundReadError(
            f"{upload.name}: er ikke en CSV-fil i UTF-8 (byte {err.start}); lagre som CSV UTF-8"
        ) from err
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;")
    except csv.Error:
        dialect = csv.excel
    lines = list(csv.reader(io.StringIO(text), dialect))
    header = [h.strip() for h in lines[0]] if lines else []
    table = max(mapping.tables, key=lambda t: len(set(header) & set(t.titles)))
    positions = _header_positions(
        header, table, lambda i: f"linje 1, kolonne {i + 1}", where=f"{upload.name}"
    )
    sheet = Sheet(upload.name, table)
    for line, cells in enumerate(lines[1:], start=2):
        values = {
            column: Cell(cells[i].strip(), f"linje {line}, kolonne {i + 1}")
            for column, i in positions.items()
            if i < len(cells)
        }
        for cell in values.values():
            if cell.text.startswith("="):
                raise RoundReadError(
                    f"{upload.name}, {cell.coordinate}: inneholder formelen «{cell.text}»;"
                    " skriv inn verdien i stedet"
                )
        if any(c.text for c in values.values()):
            sheet.rows.append(Row(line, values))
    return sheet


def _header_positions(
    header: list[str], table: TableMap, where_of: object, *, where: str | None = None
) -> dict[str, int]:
    """Column name → position, or RoundReadError for an unknown or missing column."""
    assert callable(where_of)
    place = where or table.sheet
    titles = {column.title: column.name for column in table.columns}
    positions: dict[str, int] = {}
    for i, title in enumerate(header):
        if not title:
            continue
        if title not in titles:
            expected = ", ".join(t for t in titles if t not in header)
            raise RoundReadError(
                f"{place}, {where_of(i)}: kolonnen «{title}» er ikke en kolonne i malen"
                f" (mangler: {expected or 'ingen'}); bruk kolonnenavnene fra malen"
            )
        positions[titles[title]] = i
    missing = [column.title for column in table.columns if column.name not in positions]
    if missing:
        raise RoundReadError(
            f"{place}: kolonnen {', '.join(f'«{m}»' for m in missing)} mangler i overskriftsraden;"
            " bruk kolonnene fra malen"
        )
    return positions


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
