"""`salesplan rollover`: the next scenario validates and plans, keeps files and encodings, and the move
history holds policy.reassignment.max_moves_per_account_per_year across quarters (forced moves explained)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from salesplan.scenarios import load_scenario

from .conftest import EXAMPLES, run_cli


def test_bank_rollover_keeps_the_workbook_and_validates(tmp_path: Path) -> None:
    bank = EXAMPLES / "bank-key-accounts"
    out = tmp_path / "q2"
    code, rolled = run_cli("rollover", str(bank / "plan"), "--actuals", str(bank / "actuals"), "-o", str(out))
    assert code == 0, rolled
    code, output = run_cli("validate", str(out))
    assert code == 0, output
    import openpyxl

    assert (
        openpyxl.load_workbook(out / "accounts.xlsx").sheetnames
        == openpyxl.load_workbook(bank / "accounts.xlsx").sheetnames
    )
    before, after = load_scenario(bank), load_scenario(out)
    assert after.horizon.start == before.horizon.start + pd.Timedelta(weeks=13).to_pytimedelta()
    territories = pd.read_csv(bank / "plan" / "territories.csv", dtype=str, keep_default_na=False)
    assert {a.id: a.current_rep for a in after.accounts} == dict(
        zip(territories["account"], territories["rep"], strict=True)
    )
    status = pd.read_csv(bank / "actuals" / "opportunities.csv", dtype=str, keep_default_na=False)
    finished = set(status.loc[status["status"].isin(["won", "lost"]), "opportunity"])
    assert finished and not finished & {o.id for o in after.opportunities}
    assert {o.id for o in before.opportunities} - finished == {o.id for o in after.opportunities}
    planted = json.loads((bank / "actuals" / "planted.json").read_text(encoding="utf-8"))
    over = planted["over_credit_limit"]
    assert all(o.exclude and not o.must_pursue for o in after.opportunities if o.account == over)
    # the calendar: no holiday of the next quarter in the scenario → a warning, not a silent gap
    assert "add them to horizon.holidays" in rolled and not after.horizon.holidays


def test_two_quarters_on_the_dealer_network(tmp_path: Path) -> None:
    dealers = EXAMPLES / "dealer-network"
    q3 = tmp_path / "q3"
    code, output = run_cli(
        "rollover", str(dealers / "plan"), "--actuals", str(dealers / "actuals"), "-o", str(q3)
    )
    assert code == 0, output
    raw = (q3 / "dealers.csv").read_bytes()
    assert raw.decode("gb18030") and not _is_utf8(raw)  # GB18030 stays GB18030
    moved_q2 = {a.id for a in load_scenario(q3).accounts if a.moved_dates}
    assert len(moved_q2) == 59  # the bundled plan moves 59 dealers that had a rep
    # a rep who received dealers in Q2 leaves in Q3: their dealers must move (forced), even if they moved
    changes = pd.read_csv(dealers / "plan" / "changes.csv", dtype=str, keep_default_na=False)
    leaver = changes[changes["from_rep"] != ""]["to_rep"].value_counts().index[0]
    leave = tmp_path / "q3-leave"
    leave.mkdir()
    (leave / "scenario.yaml").write_text(
        f"extends: ../q3/scenario.yaml\nremove:\n  reps: [{leaver}]\n", encoding="utf-8"
    )
    plan3 = tmp_path / "plan-q3"
    code, output = run_cli("plan", str(leave), "-o", str(plan3), "--no-timings", "--effort", "0.2")
    assert code == 0, output
    territories = pd.read_csv(plan3 / "territories.csv", dtype=str, keep_default_na=False)
    again = territories[territories["account"].isin(moved_q2) & territories["moved"].eq("True")]
    assert len(again) > 0
    # forced, and it says why: its rep left, or (the bundled plan predates reach-first territories) its
    # rep cannot reach it in a day trip
    assert again["reason"].str.match(rf"its rep ({leaver} left|\S+ cannot reach it in a day trip)").all()
    assert again["reason"].str.startswith(f"its rep {leaver} left").any()
    locked = territories[territories["account"].isin(moved_q2) & territories["moved"].eq("False")]
    assert locked["reason"].str.startswith("locked to").all()
    # Q4 from the Q3 plan alone: validates, plans; the history holds the cap except for the forced moves
    q4 = tmp_path / "q4"
    code, output = run_cli("rollover", str(plan3), "--scenario", str(leave), "-o", str(q4))
    assert code == 0, output
    code, output = run_cli(
        "plan", str(q4), "-o", str(tmp_path / "plan-q4"), "--no-timings", "--effort", "0.2"
    )
    assert code == 0, output
    moves = pd.read_csv(q4 / "moves.csv", dtype=str, keep_default_na=False)
    twice = moves[moves.duplicated("account", keep=False)]
    assert len(twice) and twice.groupby("account")["forced"].apply(lambda f: (f == "True").any()).all()
    forced = twice[twice["forced"] == "True"]
    assert forced["reason"].str.startswith("its rep").all()  # left, or works in another region
    assert (
        forced.loc[forced["date"] == str(load_scenario(q3).horizon.start), "reason"]
        .str.contains(f"{leaver} left|cannot reach it in a day trip")
        .all()
    )


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
