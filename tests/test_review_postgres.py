"""The review from a real PostgreSQL server equals the review from the CSV files.

The fixture starts a throwaway cluster in a temporary folder (Debian's `postgresql` package: initdb and
pg_ctl from /usr/lib/postgresql/*/bin; `bash scripts/bootstrap.sh --test` installs it), listening on a Unix
socket only, and removes it afterwards. Skipped, with the reason, where no server can be started.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from salesplan.review import check, compile_review, review
from salesplan.scenarios import load_scenario
from salesplan.scenarios.actuals import TABLE_NAMES, load_actuals
from salesplan.scenarios.plan_folder import load_plan_folder

from .conftest import EXAMPLES

pytestmark = pytest.mark.slow


def _run_as(user: str | None, *command: str) -> subprocess.CompletedProcess[str]:
    prefix = ["runuser", "-u", user, "--"] if user else []
    return subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A SQLAlchemy URL of a fresh PostgreSQL server; skips when none can be started."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed (pip install -e '.[test]')")
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    initdb = binaries[-1] if binaries else shutil.which("initdb")
    if initdb is None:
        pytest.skip(
            "PostgreSQL not found (Debian: apt-get install postgresql; bash scripts/bootstrap.sh --test)"
        )
    pg_ctl = str(Path(initdb).with_name("pg_ctl"))
    # the server refuses to run as root: run it as the package's postgres user where we are root
    user = "postgres" if os.geteuid() == 0 and shutil.which("runuser") else None
    root = Path(tempfile.mkdtemp(prefix="salesplan-pg-"))  # not under pytest's root-only folder
    data, socket = root / "data", root / "socket"
    socket.mkdir()
    if user:
        shutil.chown(root, user)
        shutil.chown(socket, user)
    made = _run_as(user, initdb, "-D", str(data), "-U", "salesplan", "--auth=trust", "--no-sync")
    if made.returncode != 0:
        pytest.skip(f"initdb failed: {made.stderr.strip()[:300]}")
    options = f"-c listen_addresses='' -k {socket} -p 54329 -c fsync=off"
    started = _run_as(user, pg_ctl, "-D", str(data), "-o", options, "-w", "-l", str(root / "log"), "start")
    if started.returncode != 0:
        pytest.skip(f"pg_ctl could not start a server: {started.stderr.strip()[:300]}")
    try:
        yield f"postgresql+psycopg://salesplan@/postgres?host={socket}&port=54329"
    finally:
        _run_as(user, pg_ctl, "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)


def test_review_from_postgresql_equals_the_csv_review(postgres: str) -> None:
    from sqlalchemy import create_engine

    folder = EXAMPLES / "dealer-network"
    source = folder / "actuals"
    engine = create_engine(postgres)
    for name in TABLE_NAMES:
        frame = pd.read_csv(source / f"{name}.csv", dtype=str, keep_default_na=False, encoding="gb18030")
        for column in frame.columns:  # typed columns, as finance keeps them
            if column in ("date", "due_date"):
                frame[column] = pd.to_datetime(frame[column].replace("", None)).dt.date
            elif column in (
                "amount",
                "paid",
                "quantity",
                "minutes",
                "ship_to_lat",
                "ship_to_lon",
                "our_share",
                "sales_growth_3y",
                "years_in_business",
            ):
                frame[column] = pd.to_numeric(frame[column].replace("", None))
        frame.replace("", None).to_sql(name, engine, index=False, if_exists="replace")
    engine.dispose()
    scenario, plan = load_scenario(folder), load_plan_folder(folder / "plan")
    from_csv = review(compile_review(scenario, plan, load_actuals(source)))
    from_server = review(compile_review(scenario, plan, load_actuals(postgres)))
    assert check(from_server) == []
    for name, frame in from_csv.frames.items():
        pd.testing.assert_frame_equal(frame, from_server.frames[name], check_dtype=False, obj=name)
    assert from_server.sources["visits"].startswith("postgresql+psycopg://salesplan@")
