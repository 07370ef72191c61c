"""Write the corpus of fault and injection cases (deterministic): one folder per case, each with `expect.txt`.

    python tests/faults/make_corpus.py

The adversary's cases of issues 19 and 16, beside the broken corpus (tests/broken) whose valid base they
start from: YAML bombs, tables that are no regular file, damaged workbooks, ambiguous encodings, invisible
characters in ids and names, what-if edits, headers as planners write them. `expect.txt` holds the exit code
of `salesplan validate` on its first line (`exit 2`; `exit 0` for a case that must be read, warnings
allowed), then the `file:row:field` every report of the case must contain, one per line.

Cases that git cannot hold — a FIFO, a symbolic link loop, a 200 MB file — are made when the test runs:
their folder holds `live.txt` naming the maker in LIVE below, which the test applies to a copy.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("broken_corpus", HERE.parent / "broken" / "make_corpus.py")
assert _spec is not None and _spec.loader is not None
broken = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(broken)

replace, write, both, use_xlsx = broken.replace, broken.write, broken.both, broken.use_xlsx
Mutation = Callable[[Path], None]
Case = tuple[str, Mutation, int, list[str]]


def alias_bomb(levels: int = 9) -> str:
    lines = ['lol: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"lol{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def xlsx_bytes(rows: list[list[object]], *, styled_last_row: bool = False) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Accounts"
    for row in rows:
        sheet.append(row)
    if styled_last_row:
        sheet["T1048576"].font = Font(bold=True)  # formatted, empty: the used range reaches the last row
    book.properties.created = book.properties.modified = dt.datetime(2026, 1, 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def truncated_sheet(data: bytes) -> bytes:
    """The workbook with its first sheet's XML cut in the middle of the data."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]
            info.date_time = (2026, 1, 1, 0, 0, 0)
            target.writestr(info, content)
    return out.getvalue()


def junk_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in ("[Content_Types].xml", "xl/workbook.xml", "junk.bin"):
            info = zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0))
            target.writestr(info, b"\x00\x01 not xml at all \xff" * 20)
    return out.getvalue()


def xlsx_table(data: bytes) -> Mutation:
    return both(
        write("accounts.xlsx", data),
        replace("scenario.yaml", "accounts: accounts.csv", "accounts: accounts.xlsx"),
        lambda folder: (folder / "accounts.csv").unlink(),
    )


def rename_rep(old: str, new: str) -> Mutation:
    """Give a rep another id, in the reps table and as the current rep of its accounts."""

    def apply(folder: Path) -> None:
        for name, pattern in (("reps.csv", f"\n{old},"), ("accounts.csv", f",{old}\n")):
            path = folder / name
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace(pattern, pattern.replace(old, new)), encoding="utf-8")

    return apply


def table(name: str, where: str) -> Mutation:
    """Point the accounts table at ``where`` (a path the YAML names as it is)."""
    return replace("scenario.yaml", "accounts: accounts.csv", f"accounts: {where}")


LATIN_REPS = broken.REPS.replace("王伟", "Jürgen Müller").replace("李娜", "Li Na")
WHAT_IF = "extends: base.yaml\nname: What-if\n"
BASE = both(write("base.yaml", broken.SCENARIO))
CHINESE_ACCOUNTS = broken.ACCOUNTS.replace(
    "id,name,region,lat,lon,current_sales,potential,margin,visit_minutes,current_rep",
    "客户编号,名称,区域,纬度,经度,销售额,潜力,毛利率,拜访时长,当前代表",
).replace("900000,1200000", '"900,000","1,200,000"')

CASES: list[Case] = [
    # --- YAML that would hang or crash a reader
    ("yaml-alias-bomb", write("scenario.yaml", broken.SCENARIO + alias_bomb()), 2, ["scenario.yaml:23:"]),
    (
        "yaml-deep-nesting",
        write("scenario.yaml", broken.SCENARIO + "x: " + "[" * 5000 + "]" * 5000 + "\n"),
        2,
        ["scenario.yaml:18:"],
    ),
    (
        "yaml-recursive-alias",
        write("scenario.yaml", broken.SCENARIO + "x: &a [1, *a]\n"),
        2,
        ["scenario.yaml:18:"],
    ),
    (
        "extends-dev-zero",
        write("scenario.yaml", "extends: /dev/zero\nname: zero\n"),
        2,
        ["scenario.yaml:1:extends"],
    ),
    (
        "extends-folder",
        both(
            write("scenario.yaml", "extends: base\nname: folder\n"),
            lambda folder: (folder / "base").mkdir(),
            write("base/scenario.yaml", broken.SCENARIO),
        ),
        2,
        ["scenario.yaml:1:extends"],
    ),
    # --- tables that are no regular file
    ("table-dev-zero", table("accounts", "/dev/zero"), 2, ["scenario.yaml:7:tables.accounts"]),
    (
        "table-is-a-folder",
        both(
            lambda folder: (folder / "dealers.csv").mkdir(),
            write("dealers.csv/keep.txt", "x"),
            table("accounts", "dealers.csv"),
        ),
        2,
        ["scenario.yaml:7:tables.accounts"],
    ),
    (  # '#' picks a sheet of a workbook only: this is a file name
        "table-hash-in-csv-name",
        both(
            lambda folder: (folder / "reps.csv").rename(folder / "reps#v2.csv"),
            replace("scenario.yaml", "reps: reps.csv", "reps: reps#v2.csv"),
        ),
        0,
        [],
    ),
    # --- damaged and huge workbooks
    ("xlsx-junk-zip", xlsx_table(junk_zip()), 2, ["scenario.yaml:7:tables.accounts"]),
    (
        "xlsx-truncated-sheet",
        xlsx_table(truncated_sheet(xlsx_bytes(broken.account_rows()))),
        2,
        ["scenario.yaml:7:tables.accounts"],
    ),
    (  # read in well under a second: the reader never builds the million empty rows
        "xlsx-used-range-to-last-row",
        xlsx_table(xlsx_bytes(broken.account_rows(), styled_last_row=True)),
        0,
        [],
    ),
    # --- dates and encodings
    (
        "horizon-year-9999",
        replace("scenario.yaml", "2026-04-06", "9999-12-01"),
        2,
        ["scenario.yaml:3:horizon.start"],
    ),
    (  # 'Jürgen Müller' in Latin-1 reads as GB18030 too ('J黵gen M黮ler'): refused until named
        "encoding-latin1-or-gb18030",
        lambda folder: (folder / "reps.csv").write_bytes(LATIN_REPS.encode("latin-1")),
        2,
        ["reps.csv:2:encoding"],
    ),
    (
        "encoding-named",
        both(
            lambda folder: (folder / "reps.csv").write_bytes(LATIN_REPS.encode("latin-1")),
            replace("scenario.yaml", "reps: reps.csv", "reps: {file: reps.csv, encoding: latin-1}"),
        ),
        0,
        [],
    ),
    (
        "encoding-unknown",
        replace("scenario.yaml", "reps: reps.csv", "reps: {file: reps.csv, encoding: klingon}"),
        2,
        ["scenario.yaml:6:tables.reps.encoding"],
    ),
    # --- invisible characters: refused in ids, warned in names
    ("id-with-nul", replace("reps.csv", "R2,李娜", "R\x002,李娜"), 2, ["reps.csv:3:id"]),
    (
        "id-with-line-break",
        replace("accounts.csv", "A2,首钢物资", '"A2\r\nSUMMARY:INJECTED",首钢物资'),
        2,
        ["accounts.csv:3:id"],
    ),
    ("id-with-zero-width-space", replace("reps.csv", "R3,Chen", "R3\u200b,Chen"), 2, ["reps.csv:4:id"]),
    (
        "name-with-line-break",
        replace("accounts.csv", "A1,北京华联", '"A1","北京华联\r\nSUMMARY:INJECTED"'),
        0,
        ["accounts.csv:2:name"],
    ),
    ("name-with-control-character", replace("reps.csv", "Chen Jie", "Chen\x07Jie"), 0, ["reps.csv:4:name"]),
    (
        "scenario-name-with-line-break",
        replace("scenario.yaml", "name: Broken-corpus base", 'name: "Base\\nSUMMARY:INJECTED"'),
        0,
        ["scenario.yaml:1:name"],
    ),
    (  # markup is the writers' to escape; the input is valid
        "name-with-markup",
        replace("accounts.csv", "Haidian Tech", "<img src=x onerror=alert(1)>"),
        0,
        [],
    ),
    ("name-with-dollars", replace("accounts.csv", "Haidian Tech", "$x^2$ Tech"), 0, []),
    (  # Excel counts 32 characters: the sheet of this rep cannot be named after it
        "rep-id-of-16-emoji",
        rename_rep("R3", "😀" * 16),
        0,
        ["reps.csv:4:id"],
    ),
    ("rep-id-with-slash", rename_rep("R3", "R/3"), 0, ["reps.csv:4:id"]),
    # --- settings that contradict each other
    (
        "max-visits-below-tier-minimum",
        replace("scenario.yaml", "  balance:", "  response: {max_visits_per_month: 1}\n  balance:"),
        2,
        ["scenario.yaml:16:policy.response.max_visits_per_month"],
    ),
    (
        "delaunay-all-accounts-at-one-point",
        both(
            replace(
                "scenario.yaml",
                "workload_tolerance: 0.2",
                "workload_tolerance: 0.2\n    contiguity: delaunay",
            ),
            *[
                replace("accounts.csv", old, "39.91,116.41")
                for old in ("39.92,116.35", "39.88,116.45", "39.96,116.30")
            ],
        ),
        2,
        ["scenario.yaml:18:policy.balance.contiguity"],
    ),
    (
        "workday-also-a-holiday",
        replace(
            "scenario.yaml", "  weeks: 4", "  weeks: 4\n  holidays: [2026-04-12]\n  workdays: [2026-04-12]"
        ),
        2,
        ["scenario.yaml:6:horizon.workdays"],
    ),
    # --- numbers and headers as planners write them
    (
        "numbers-with-thousands-and-percent",
        both(
            replace("accounts.csv", "700000,800000", '"700,000","800,000"'),
            replace("opportunities.csv", "0.7,4", "70%,4"),
            replace("reps.csv", "121.47,40,0.5", "121.47,40,50%"),
        ),
        0,
        [],
    ),
    ("headers-in-chinese", write("accounts.csv", CHINESE_ACCOUNTS), 0, []),
    (
        "headers-mapped-to-unknown-column",
        replace(
            "scenario.yaml",
            "accounts: accounts.csv",
            "accounts: {file: accounts.csv, columns: {销售额: sales}}",
        ),
        2,
        ["scenario.yaml:7:tables.accounts.columns.销售额"],
    ),
    (
        "headers-mixed-languages",
        write("accounts.csv", CHINESE_ACCOUNTS.replace("潜力", "potential")),
        0,
        [],
    ),
    (
        "headers-twice-the-same-column",
        write("accounts.csv", CHINESE_ACCOUNTS.replace("潜力", "current_sales")),
        2,
        ["accounts.csv:1:current_sales"],
    ),
    # --- what-if edits
    (
        "update-one-cell",
        both(BASE, write("scenario.yaml", WHAT_IF + "update:\n  reps:\n    R2: {hours_per_week: 30}\n")),
        0,
        [],
    ),
    (
        "update-unknown-id",
        both(BASE, write("scenario.yaml", WHAT_IF + "update:\n  reps:\n    R9: {hours_per_week: 30}\n")),
        2,
        ["scenario.yaml:5:update.reps.R9"],
    ),
    (
        "update-unknown-column",
        both(BASE, write("scenario.yaml", WHAT_IF + "update:\n  reps:\n    R2: {hours: 30}\n")),
        2,
        ["scenario.yaml:5:update.reps.R2.hours"],
    ),
    (
        "update-bad-value",
        both(BASE, write("scenario.yaml", WHAT_IF + "update:\n  reps:\n    R2:\n      hours_per_week: -3\n")),
        2,
        ["scenario.yaml:6:update.reps.R2.hours_per_week"],
    ),
    (
        "update-region-by-table",
        both(
            BASE,
            write("scenario.yaml", WHAT_IF + "update: {accounts: moved.csv, reps: {R2: {region: East}}}\n"),
            write("moved.csv", "id,region\nA3,East\nA4,East\n"),
        ),
        0,
        [],
    ),
    (
        "update-table-bad-value",
        both(
            BASE,
            write("scenario.yaml", WHAT_IF + "update: {accounts: moved.csv}\n"),
            write("moved.csv", "id,lat\nA3,95\n"),
        ),
        2,
        ["moved.csv:2:lat"],
    ),
    (  # says what happens to the account's opportunities
        "remove-account-with-opportunities",
        both(BASE, write("scenario.yaml", WHAT_IF + "remove:\n  accounts: [A1]\n")),
        0,
        ["scenario.yaml:4:remove.accounts"],
    ),
]

# Made when the test runs (git cannot hold them): name → (mutation, exit code, expected locations).
LIVE: dict[str, tuple[Mutation, int, list[str]]] = {
    "table-fifo": (
        both(
            lambda folder: (folder / "accounts.csv").unlink(),
            lambda folder: os.mkfifo(folder / "accounts.csv"),
        ),
        2,
        ["scenario.yaml:7:tables.accounts"],
    ),
    "table-symlink-loop": (
        both(
            lambda folder: (folder / "accounts.csv").unlink(),
            lambda folder: (folder / "accounts.csv").symlink_to("accounts.csv"),
        ),
        2,
        ["scenario.yaml:7:tables.accounts"],
    ),
    "table-200-mb": (  # sparse: refused by its size, before a byte is read
        lambda folder: os.truncate(folder / "accounts.csv", 200 * 2**20),
        2,
        ["scenario.yaml:7:tables.accounts"],
    ),
    "xlsx-zip-bomb": (  # 170 MB of zeros in a workbook of a few hundred kB: refused by the sizes it declares
        both(
            xlsx_table(xlsx_bytes(broken.account_rows())), lambda folder: _add_zeros(folder / "accounts.xlsx")
        ),
        2,
        ["scenario.yaml:7:tables.accounts"],
    ),
    "yaml-2-mb": (lambda folder: os.truncate(folder / "scenario.yaml", 2 * 2**20), 2, ["scenario.yaml:0:"]),
}


def _add_zeros(path: Path) -> None:
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/zeros.bin", bytes(170 * 2**20))


def base(folder: Path) -> None:
    broken.base(folder)


def main() -> None:
    for old in HERE.iterdir():
        if old.is_dir():
            shutil.rmtree(old)
    names: set[str] = set()
    for name, mutate, code, expected in CASES:
        assert name not in names, name
        names.add(name)
        folder = HERE / name
        base(folder)
        mutate(folder)
        (folder / "expect.txt").write_text("\n".join([f"exit {code}", *expected]) + "\n", encoding="utf-8")
    for name, (_, code, expected) in LIVE.items():
        assert name not in names, name
        folder = HERE / name
        base(folder)
        (folder / "live.txt").write_text(name + "\n", encoding="utf-8")
        (folder / "expect.txt").write_text("\n".join([f"exit {code}", *expected]) + "\n", encoding="utf-8")
    print(f"{len(CASES)} fault cases and {len(LIVE)} live ones written to {HERE}")


if __name__ == "__main__":
    main()
