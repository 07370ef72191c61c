"""CSV tables as planners open them: UTF-8 with a BOM by default (Chinese Windows Excel then reads the
names), or plain UTF-8, or GB18030; every text cell through :func:`~salesplan.cli.sanitize.csv_cell`, every
cell that holds a line break, a comma or a quote quoted, '\\n' line ends, no index."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from ..sanitize import csv_cell

CSV_ENCODINGS = ("utf-8-sig", "utf-8", "gb18030")  # the first is the default
DEFAULT_CSV_ENCODING = CSV_ENCODINGS[0]


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (and headers) are CSV-safe: one kind of line break, no control
    character, no formula."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(csv_cell).astype(object)
    out.columns = [csv_cell(str(c)) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: Path, encoding: str = DEFAULT_CSV_ENCODING) -> None:
    """Write ``frame`` as a CSV file in ``encoding`` (one of :data:`CSV_ENCODINGS`)."""
    if encoding not in CSV_ENCODINGS:
        raise ValueError(f"CSV encoding {encoding!r} is not one of {', '.join(CSV_ENCODINGS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = safe_frame(frame).to_csv(index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    # GB18030 encodes every Unicode code point; the sanitiser removed the lone surrogates it cannot.
    path.write_bytes(text.encode(encoding))
