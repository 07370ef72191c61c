"""Write the corpus of broken scenarios (deterministic): one folder per case, each with `expect.txt`.

    python tests/broken/make_corpus.py

Every case starts from the same small valid scenario and breaks one thing. `expect.txt` holds the
`file:row:field` every error report for the case must contain (one per line). The test suite checks
that each case is rejected with exit code 2, that message, and no traceback, and that the base is valid.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent

SCENARIO = """\
name: Broken-corpus base
horizon:
  start: 2026-04-06
  weeks: 4
tables:
  reps: reps.csv
  accounts: accounts.csv
  opportunities: opportunities.csv
policy:
  tiers:
    method: pareto
    visits:
      A: {min: 2, max: 4}
      B: {min: 1, max: 3}
      C: {min: 0, max: 2}
  balance:
    workload_tolerance: 0.2
"""

REPS = """\
id,name,region,home_lat,home_lon,hours_per_week,selling_share
R1,王伟,North,39.90,116.40,40,0.5
R2,李娜,North,39.95,116.30,40,0.5
R3,Chen Jie,South,31.23,121.47,40,0.5
"""

ACCOUNTS = """\
id,name,region,lat,lon,current_sales,potential,margin,visit_minutes,current_rep
A1,北京华联,North,39.91,116.41,900000,1200000,0.2,60,R1
A2,首钢物资,North,39.92,116.35,400000,500000,0.2,60,R1
A3,燕京贸易,North,39.88,116.45,150000,300000,0.2,45,R2
A4,Haidian Tech,North,39.96,116.30,80000,100000,0.3,45,R2
A5,浦东物流,South,31.22,121.50,700000,800000,0.25,60,R3
A6,静安百货,South,31.23,121.45,200000,260000,0.25,60,R3
"""

OPPORTUNITIES = """\
id,account,type,size,probability,effort_hours
O1,A1,upsell,100000,0.6,10
O2,A2,cross_sell,50000,0.4,8
O3,A5,price_mix,30000,0.7,4
"""

Case = tuple[str, Callable[[Path], None], list[str]]


def replace(name: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return apply


def write(name: str, content: str | bytes) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    return apply


def both(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        for step in steps:
            step(folder)

    return apply


def delete(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).unlink()


def xlsx(name: str, rows: list[list[object]], merge: str | None = None) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "Accounts"
        for row in rows:
            sheet.append(row)
        if merge:
            sheet.merge_cells(merge)
        book.properties.created = book.properties.modified = __import__("datetime").datetime(2026, 1, 1)
        book.save(folder / name)

    return apply


def overnight_places(content: str) -> Callable[[Path], None]:
    """The scenario with an overnight_places table of this content (overnight.csv)."""
    return both(
        write("overnight.csv", content),
        replace("scenario.yaml", "  reps: reps.csv", "  overnight_places: overnight.csv\n  reps: reps.csv"),
    )


def account_rows() -> list[list[object]]:
    lines = [line.split(",") for line in ACCOUNTS.strip().splitlines()]
    out: list[list[object]] = [list(lines[0])]
    for line in lines[1:]:
        out.append([float(v) if v.replace(".", "").isdigit() and "." in v else v for v in line])
    return out


def use_xlsx(rows: list[list[object]], merge: str | None = None) -> Callable[[Path], None]:
    return both(
        xlsx("accounts.xlsx", rows, merge),
        replace("scenario.yaml", "accounts: accounts.csv", "accounts: accounts.xlsx"),
        delete("accounts.csv"),
    )


def formula_rows() -> list[list[object]]:
    rows = account_rows()
    rows[3][5] = "=F2*2"  # current_sales of A3 as a formula never calculated
    return rows


CASES: list[Case] = [
    # --- columns and headers
    ("reps-missing-region-column", replace("reps.csv", "id,name,region,", "id,name,"), ["reps.csv:1:region"]),
    (
        "accounts-missing-lat-column",
        replace("accounts.csv", "region,lat,lon", "region,lon"),
        ["accounts.csv:1:lat"],
    ),
    (
        "accounts-extra-column",
        replace("accounts.csv", "current_rep\n", "current_rep,colour\n"),
        ["accounts.csv:1:colour"],
    ),
    (
        "accounts-misspelled-column",
        replace("accounts.csv", "potential", "potentail"),
        ["accounts.csv:1:potentail"],
    ),
    (
        "reps-duplicated-header",
        replace("reps.csv", "id,name,region", "id,name,name,region"),
        ["reps.csv:1:name"],
    ),
    ("accounts-empty-file", write("accounts.csv", ""), ["accounts.csv:1:header"]),
    (
        "accounts-header-only",
        write("accounts.csv", ACCOUNTS.splitlines()[0] + "\n"),
        ["accounts.csv:2:header"],
    ),
    ("reps-no-hours-column", replace("reps.csv", "hours_per_week,", "hours,"), ["reps.csv:1:hours_per_week"]),
    (
        "accounts-value-without-header",
        replace("accounts.csv", "60,R1\n", "60,R1,oops\n"),
        ["accounts.csv:2:column 11"],
    ),
    # --- wrong types and values
    ("reps-hours-as-text", replace("reps.csv", "116.40,40", "116.40,forty"), ["reps.csv:2:hours_per_week"]),
    (
        "accounts-lat-out-of-range",
        replace("accounts.csv", "A3,燕京贸易,North,39.88", "A3,燕京贸易,North,95.5"),
        ["accounts.csv:4:lat"],
    ),
    ("accounts-lon-out-of-range", replace("accounts.csv", "116.35", "-200.0"), ["accounts.csv:3:lon"]),
    (
        "accounts-lat-lon-swapped",
        replace("accounts.csv", "39.91,116.41", "116.41,39.91"),
        ["accounts.csv:2:lat"],
    ),
    (
        "accounts-nan-sales",
        replace("accounts.csv", "400000,500000", "nan,500000"),
        ["accounts.csv:3:current_sales"],
    ),
    (
        "accounts-inf-potential",
        replace("accounts.csv", "400000,500000", "400000,inf"),
        ["accounts.csv:3:potential"],
    ),
    (
        "accounts-huge-sales",
        replace("accounts.csv", "150000,300000", "1e20,300000"),
        ["accounts.csv:4:current_sales"],
    ),
    (
        "accounts-negative-sales",
        replace("accounts.csv", "80000,100000", "-80000,100000"),
        ["accounts.csv:5:current_sales"],
    ),
    (  # 1,234,000 is read; a comma that does not group thousands could be a decimal comma
        "accounts-ambiguous-decimal-comma",
        replace("accounts.csv", "700000,800000", '"700,00",800000'),
        ["accounts.csv:6:current_sales"],
    ),
    (
        "accounts-blank-required-cell",
        replace("accounts.csv", "A6,静安百货,South,31.23,", "A6,静安百货,South,,"),
        ["accounts.csv:7:lat"],
    ),
    ("accounts-empty-id", replace("accounts.csv", "A4,Haidian", ",Haidian"), ["accounts.csv:5:id"]),
    ("accounts-margin-above-one", replace("accounts.csv", "0.3,45", "1.3,45"), ["accounts.csv:5:margin"]),
    (
        "accounts-visit-minutes-huge",
        replace("accounts.csv", "0.3,45", "0.3,10000"),
        ["accounts.csv:5:visit_minutes"],
    ),
    (
        "accounts-bad-open-time",
        both(
            replace("accounts.csv", "current_rep\n", "current_rep,open_time\n"),
            replace("accounts.csv", "60,R1\n", "60,R1,25:00\n"),
        ),
        ["accounts.csv:2:open_time"],
    ),
    (
        "accounts-close-before-open",
        both(
            replace("accounts.csv", "current_rep\n", "current_rep,open_time,close_time\n"),
            replace("accounts.csv", "60,R1\n", "60,R1,15:00,09:00\n"),
        ),
        ["accounts.csv:2:close_time"],
    ),
    (
        "accounts-bad-closed-date",
        both(
            replace("accounts.csv", "current_rep\n", "current_rep,closed_dates\n"),
            replace("accounts.csv", "45,R2\n", "45,R2,2026-13-01\n"),
        ),
        ["accounts.csv:4:closed_dates"],
    ),
    (
        "accounts-bad-weekday",
        both(
            replace("accounts.csv", "current_rep\n", "current_rep,visit_days\n"),
            replace("accounts.csv", "60,R3\n", "60,R3,mon;funday\n"),
        ),
        ["accounts.csv:6:visit_days"],
    ),
    (
        "accounts-bad-dealer-flag",
        both(
            replace("accounts.csv", "current_rep\n", "current_rep,is_dealer\n"),
            replace("accounts.csv", "60,R1\n", "60,R1,maybe\n"),
        ),
        ["accounts.csv:2:is_dealer"],
    ),
    (
        "reps-both-hours-fields",
        both(
            replace("reps.csv", "hours_per_week,", "hours_per_week,hours_per_month,"),
            replace("reps.csv", "116.40,40,", "116.40,40,170,"),
        ),
        ["reps.csv:2:hours_per_week"],
    ),
    (
        "reps-end-before-start",
        both(
            replace("reps.csv", "selling_share\n", "selling_share,start_date,end_date\n"),
            replace("reps.csv", "40,0.5\nR2", "40,0.5,2026-05-01,2026-04-01\nR2"),
        ),
        ["reps.csv:2:end_date"],
    ),
    (
        "reps-selling-share-zero",
        replace("reps.csv", "121.47,40,0.5", "121.47,40,0"),
        ["reps.csv:4:selling_share"],
    ),
    (
        "reps-selling-share-percent",
        replace("reps.csv", "121.47,40,0.5", "121.47,40,45"),
        ["reps.csv:4:selling_share"],
    ),
    ("reps-home-lat-text", replace("reps.csv", "39.95,116.30", "north,116.30"), ["reps.csv:3:home_lat"]),
    (
        "opportunities-probability-above-one",
        replace("opportunities.csv", "0.6,10", "1.5,10"),
        ["opportunities.csv:2:probability"],
    ),
    (
        "opportunities-probability-negative",
        replace("opportunities.csv", "0.4,8", "-0.4,8"),
        ["opportunities.csv:3:probability"],
    ),
    (  # 70% is read as 0.7; 0,7 could be 0.7 or 7
        "opportunities-probability-decimal-comma",
        replace("opportunities.csv", "0.7,4", '"0,7",4'),
        ["opportunities.csv:4:probability"],
    ),
    (
        "opportunities-unknown-type",
        replace("opportunities.csv", "cross_sell", "bribe"),
        ["opportunities.csv:3:type"],
    ),
    (
        "opportunities-zero-effort",
        replace("opportunities.csv", "0.7,4", "0.7,0"),
        ["opportunities.csv:4:effort_hours"],
    ),
    (
        "opportunities-must-and-exclude",
        both(
            replace("opportunities.csv", "effort_hours\n", "effort_hours,must_pursue,exclude\n"),
            replace("opportunities.csv", "0.6,10\n", "0.6,10,true,true\n"),
        ),
        ["opportunities.csv:2:must_pursue"],
    ),
    # --- references and ids
    ("accounts-duplicate-id", replace("accounts.csv", "A4,Haidian", "A3,Haidian"), ["accounts.csv:4:id"]),
    ("reps-duplicate-id", replace("reps.csv", "R2,李娜", "R1,李娜"), ["reps.csv:2:id"]),
    (
        "opportunities-duplicate-id",
        replace("opportunities.csv", "O3,A5", "O1,A5"),
        ["opportunities.csv:2:id"],
    ),
    (
        "opportunities-unknown-account",
        replace("opportunities.csv", "O2,A2", "O2,A99"),
        ["opportunities.csv:3:account"],
    ),
    (
        "accounts-unknown-current-rep",
        replace("accounts.csv", "45,R2\nA4", "45,R9\nA4"),
        ["accounts.csv:4:current_rep"],
    ),
    (
        "accounts-locked-rep-other-region",
        both(
            replace("accounts.csv", "current_rep\n", "current_rep,locked_rep\n"),
            replace("accounts.csv", "60,R1\n", "60,R1,R3\n"),
        ),
        ["accounts.csv:2:locked_rep"],
    ),
    (
        "accounts-region-without-rep",
        replace("accounts.csv", "A6,静安百货,South", "A6,静安百货,West"),
        ["accounts.csv:7:region"],
    ),
    (
        "regions-table-unknown-region",
        both(
            write("regions.csv", "id,name\nNorth,华北\n"),
            replace("scenario.yaml", "  reps: reps.csv", "  regions: regions.csv\n  reps: reps.csv"),
        ),
        ["reps.csv:4:region"],
    ),
    (
        "absences-unknown-rep",
        both(
            write("absences.csv", "rep,start,end\nR7,2026-04-07,2026-04-08\n"),
            replace("scenario.yaml", "  reps: reps.csv", "  absences: absences.csv\n  reps: reps.csv"),
        ),
        ["absences.csv:2:rep"],
    ),
    (
        "absences-end-before-start",
        both(
            write("absences.csv", "rep,start,end\nR1,2026-04-09,2026-04-08\n"),
            replace("scenario.yaml", "  reps: reps.csv", "  absences: absences.csv\n  reps: reps.csv"),
        ),
        ["absences.csv:2:end"],
    ),
    (
        "travel-matrix-unknown-place",
        both(
            write("travel.csv", "from_id,to_id,minutes\nA1,A2,12\nA1,Z9,30\n"),
            replace("scenario.yaml", "  reps: reps.csv", "  travel_matrix: travel.csv\n  reps: reps.csv"),
        ),
        ["travel.csv:3:to_id"],
    ),
    (
        "adjacency-unknown-account",
        both(
            write("adjacency.csv", "a,b\nA1,A2\nA2,A77\n"),
            replace("scenario.yaml", "  reps: reps.csv", "  adjacency: adjacency.csv\n  reps: reps.csv"),
        ),
        ["adjacency.csv:3:b"],
    ),
    (
        "overnight-places-duplicate-id",
        overnight_places(
            "place_id,name,lat,lon,cost\nH1,城南宾馆,39.80,116.40,260\nH1,城北宾馆,40.05,116.40,\n"
        ),
        ["overnight.csv:2:place_id"],
    ),
    (
        "overnight-places-bad-lat",
        overnight_places(
            "place_id,name,lat,lon,cost\nH1,城南宾馆,39.80,116.40,260\nH2,浦东宾馆,131.2,121.5,\n"
        ),
        ["overnight.csv:3:lat"],
    ),
    (
        "overnight-places-negative-cost",
        overnight_places("place_id,name,lat,lon,cost\nH1,城南宾馆,39.80,116.40,-260\n"),
        ["overnight.csv:2:cost"],
    ),
    (
        "overnight-places-missing-lon-column",
        overnight_places("place_id,name,lat,cost\nH1,城南宾馆,39.80,260\n"),
        ["overnight.csv:1:lon"],
    ),
    (
        "tiers-given-but-empty",
        replace("scenario.yaml", "method: pareto", "method: given"),
        ["accounts.csv:2:tier"],
    ),
    (
        "tiers-score-without-criteria",
        replace("scenario.yaml", "method: pareto", "method: score"),
        ["accounts.csv:2:cooperation"],
    ),
    # --- YAML
    ("yaml-syntax-error", replace("scenario.yaml", "  weeks: 4", "  weeks: [4"), ["scenario.yaml:"]),
    ("yaml-tab-indentation", replace("scenario.yaml", "  weeks: 4", "\tweeks: 4"), ["scenario.yaml:4"]),
    ("yaml-not-a-mapping", write("scenario.yaml", "- just\n- a list\n"), ["scenario.yaml:1"]),
    ("yaml-unknown-top-key", replace("scenario.yaml", "policy:", "polcy:"), ["scenario.yaml:9:polcy"]),
    (
        "yaml-unknown-policy-key",
        replace("scenario.yaml", "  balance:", "  balanse:"),
        ["scenario.yaml:16:policy.balanse"],
    ),
    (
        "yaml-duplicate-key",
        replace("scenario.yaml", "  weeks: 4", "  weeks: 4\n  weeks: 6"),
        ["scenario.yaml:5:horizon.weeks"],
    ),
    (
        "yaml-negative-tolerance",
        replace("scenario.yaml", "workload_tolerance: 0.2", "workload_tolerance: -0.2"),
        ["scenario.yaml:17:policy.balance.workload_tolerance"],
    ),
    (
        "yaml-horizon-missing",
        replace("scenario.yaml", "horizon:\n  start: 2026-04-06\n  weeks: 4\n", ""),
        ["scenario.yaml:0:horizon"],
    ),
    (
        "yaml-impossible-date",
        replace("scenario.yaml", "2026-04-06", "2026-02-30"),
        ["scenario.yaml:3:horizon.start"],
    ),
    ("yaml-zero-weeks", replace("scenario.yaml", "weeks: 4", "weeks: 0"), ["scenario.yaml:4:horizon.weeks"]),
    (
        "yaml-tier-min-above-max",
        replace("scenario.yaml", "A: {min: 2, max: 4}", "A: {min: 5, max: 4}"),
        ["scenario.yaml:13:policy.tiers.visits.A.max"],
    ),
    (
        "yaml-cuts-descending",
        replace("scenario.yaml", "method: pareto", "method: pareto\n    cuts: {A: 0.9, B: 0.8, C: 1.0}"),
        ["scenario.yaml:12:policy.tiers.cuts"],
    ),
    (
        "yaml-day-ends-before-start",
        replace("scenario.yaml", "weeks: 4", "weeks: 4\n  day_start: '17:00'\n  day_end: '09:00'"),
        ["scenario.yaml:6:horizon.day_end"],
    ),
    (
        "yaml-matrix-without-table",
        replace("scenario.yaml", "  balance:", "  travel: {method: matrix}\n  balance:"),
        ["scenario.yaml:0:policy.travel.method"],
    ),
    (
        "yaml-overnight-in-a-row-above-week",
        replace(
            "scenario.yaml",
            "  balance:",
            "  travel:\n    overnight:\n      enabled: true\n      max_nights_per_week: 2\n"
            "      max_nights_in_a_row: 3\n  balance:",
        ),
        ["scenario.yaml:20:policy.travel.overnight.max_nights_in_a_row"],
    ),
    (
        "yaml-overnight-unknown-weekday",
        replace(
            "scenario.yaml",
            "  balance:",
            "  travel:\n    overnight: {enabled: true, nights: [mon, funday]}\n  balance:",
        ),
        ["scenario.yaml:17:policy.travel.overnight.nights"],
    ),
    (
        "yaml-missing-table-file",
        replace("scenario.yaml", "accounts: accounts.csv", "accounts: acounts.csv"),
        ["scenario.yaml:7:tables.accounts"],
    ),
    (
        "yaml-unsupported-table-type",
        both(
            write("accounts.json", "{}"),
            replace("scenario.yaml", "accounts: accounts.csv", "accounts: accounts.json"),
        ),
        ["scenario.yaml:7:tables.accounts"],
    ),
    (
        "yaml-no-accounts-table",
        replace("scenario.yaml", "  accounts: accounts.csv\n", ""),
        ["scenario.yaml:0:tables.accounts"],
    ),
    (
        "extends-missing-base",
        write("scenario.yaml", "extends: ../nowhere/scenario.yaml\nname: orphan\n"),
        ["scenario.yaml:1:extends"],
    ),
    (
        "extends-cycle",
        both(
            write("scenario.yaml", "extends: other.yaml\nname: loop\n"),
            write("other.yaml", "extends: scenario.yaml\n"),
        ),
        ["scenario.yaml:0:extends"],
    ),
    (
        "extends-remove-unknown-rep",
        both(
            write("base.yaml", SCENARIO),
            write("scenario.yaml", "extends: base.yaml\nremove:\n  reps: [R2, R8]\n"),
        ),
        ["scenario.yaml:3:remove.reps"],
    ),
    (
        "extends-remove-locked-rep",
        both(
            write("base.yaml", SCENARIO),
            write("scenario.yaml", "extends: base.yaml\nremove:\n  reps: [R2]\n"),
            replace("accounts.csv", "current_rep\n", "current_rep,locked_rep\n"),
            replace("accounts.csv", "45,R2\n", "45,R2,R2\n"),
        ),
        ["accounts.csv:4:locked_rep"],
    ),
    # --- encodings and file formats
    (
        "encoding-utf16",
        lambda f: (f / "accounts.csv").write_bytes(ACCOUNTS.encode("utf-16")),
        ["accounts.csv:1:encoding"],
    ),
    (
        "encoding-latin1",
        lambda f: (f / "reps.csv").write_bytes(
            REPS.replace("Chen Jie", "Café Olé").replace("王伟", "W").replace("李娜", "L").encode("cp1252")
        ),
        ["reps.csv:4:encoding"],
    ),
    (
        "csv-unclosed-quote",
        replace("accounts.csv", "A5,浦东物流", 'A5,"浦东物流'),
        ["accounts.csv:6:quoting"],
    ),
    ("xlsx-formula-without-value", use_xlsx(formula_rows()), ["accounts.xlsx:4:current_sales"]),
    ("xlsx-merged-cells", use_xlsx(account_rows(), merge="C3:C4"), ["accounts.xlsx:3:region"]),
    (
        "xlsx-not-a-workbook",
        both(
            write("accounts.xlsx", ACCOUNTS),
            replace("scenario.yaml", "accounts: accounts.csv", "accounts: accounts.xlsx"),
        ),
        ["scenario.yaml:7:tables.accounts"],
    ),
    (
        "xlsx-missing-sheet",
        both(
            use_xlsx(account_rows()),
            replace("scenario.yaml", "accounts: accounts.xlsx", "accounts: accounts.xlsx#Dealers"),
        ),
        ["scenario.yaml:7:tables.accounts"],
    ),
]


def base(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "scenario.yaml").write_text(SCENARIO, encoding="utf-8")
    (folder / "reps.csv").write_text(REPS, encoding="utf-8")
    (folder / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    (folder / "opportunities.csv").write_text(OPPORTUNITIES, encoding="utf-8")


def main() -> None:
    for old in HERE.iterdir():
        if old.is_dir():
            shutil.rmtree(old)
    base(HERE / "_valid")
    names = set()
    for name, mutate, expected in CASES:
        assert name not in names, name
        names.add(name)
        folder = HERE / name
        base(folder)
        mutate(folder)
        (folder / "expect.txt").write_text("\n".join(expected) + "\n", encoding="utf-8")
    print(f"{len(CASES)} broken cases written to {HERE}")


if __name__ == "__main__":
    main()
