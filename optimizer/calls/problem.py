"""The call-planning model of a scenario as plain arrays: levels, minutes, capacities and profit per level.

For account a served by rep r (the territory plan's, else ``default_rep_of``):

    t_a  = ⌈visit minutes_a + travel_a⌉                  whole minutes one visit takes (travel estimate
                                                          per visit from optimizer/workload.py)
    L_a  = ⌈tier minimum⌉,  U_a = max(L_a, min(⌊tier maximum⌋, K))   levels, K = max_visits_per_month;
                                                          a locked level k sets L_a = U_a = k; an account
                                                          no day trip from its rep's home reaches gets
                                                          L_a = U_a = 0 (its visits could not happen)
    v_a(k) = m_a · S_a · r_a(k) / 12 − k · t_a / 60 · p_r  profit, currency/month (m margin share, S·r
                                                          sales in currency/year, p_r cost per hour)
    C_r  = ⌊60 · h_r · presence_r⌋                       selling minutes per month of rep r

h_r is the rep's selling hours per month (paid hours × selling share); presence_r the share of the
horizon's working days the rep is present (inside start/end dates, not on an absence), so hours are the
rep's average per month over the horizon. Rounding visits up to whole minutes keeps the model exact in
integers (the DP and CP-SAT need integers) and never lets real hours exceed the capacity.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..data import PlanData
from ..tiers.solve import TierResult, solve_tiers
from ..workload import default_rep_of, visit_travel_minutes
from .mckp import MckpInstance
from .response import ResponseCurve, response_of

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Most:
    """The most visits over the horizon that ``rep``'s schedule holds for an account, and why: "tours"
    (as many as the tours with nights away built for its cluster), "days" (no regular set of days
    with room for one more) or "trips" (beyond a day trip, and the schedule kept no more on tours)."""

    rep: str
    visits: int
    why: str


@dataclass(frozen=True)
class CallProblem:
    """One entry per account (index a) or per rep (index r); see the module docstring for symbols."""

    account_ids: tuple[str, ...]
    account_regions: tuple[str, ...]
    tiers: tuple[str, ...]
    curves: tuple[ResponseCurve, ...]
    rep_of: IntArray  # r of each account, −1 when no rep of its region can serve it
    margin: FloatArray  # m_a, share
    visit_minutes: FloatArray  # on site, per visit
    travel_minutes: FloatArray  # estimate, per visit
    unit: IntArray  # t_a, whole minutes per visit
    tier_min: IntArray
    tier_max: IntArray  # ⌊tier maximum⌋ (before the K cap)
    lower: IntArray  # L_a
    upper: IntArray  # U_a
    locked: BoolArray
    held: IntArray  # visits/month the rep's schedule holds (the upper level it sets), −1 where none
    held_by: tuple[str, ...]  # why: "tours" (its cluster's tours with nights away), "days" (days full),
    # "trips" (beyond a day trip, no more kept on tours), "minimum" (the schedule holds fewer than the tier
    # minimum, which stays), "" (no cap)
    reachable: BoolArray  # a day trip from its rep's home fits (no rep: True; see data.PlanData.day_trip)
    current_visits: FloatArray  # the current plan, visits/month (0 where none is given)
    current_given: BoolArray
    sales: FloatArray  # S_a·r_a(k), currency/year, levels 0..max(U)
    profit: FloatArray  # v_a(k), currency/month
    cost_per_hour: FloatArray  # p of each account's rep (policy default when unserved)
    rep_ids: tuple[str, ...]
    rep_regions: tuple[str, ...]
    hours_available: FloatArray  # per rep, hours/month
    paid_hours: FloatArray  # per rep, paid hours/month (for the cost of a rep)
    rep_cost_per_hour: FloatArray
    max_level: int  # K

    @property
    def capacity_minutes(self) -> IntArray:
        return np.floor(self.hours_available * 60.0 + 1e-9).astype(np.int64)

    def instance(self) -> MckpInstance:
        """The multiple-choice knapsack: one group per rep."""
        return MckpInstance(
            self.rep_of, self.lower, self.upper, self.unit, self.profit, self.capacity_minutes
        )

    def profit_at(self, visits: FloatArray) -> FloatArray:
        """v_a(x) at real visit levels x (e.g. the current plan), currency/month."""
        sales = self.sales_at(visits)
        return self.margin * sales / 12.0 - visits * self.unit / 60.0 * self.cost_per_hour

    def sales_at(self, visits: FloatArray) -> FloatArray:
        return np.array([float(c.sales(x)) for c, x in zip(self.curves, visits, strict=True)])


def build_problem(
    data: PlanData,
    rep_of: Mapping[str, str | None] | None = None,
    tiers: TierResult | None = None,
    locked: Mapping[str, int] | None = None,
    travel: Mapping[str, float] | None = None,
    most: Mapping[str, Most] | None = None,
) -> CallProblem:
    """The allocation model of a scenario (see module docstring).

    ``travel`` (account → minutes per visit) replaces the estimate of :mod:`..workload` where given:
    the travel the schedule's routes take (:mod:`.calibrate`).

    ``rep_of``: account → rep (e.g. from the territory plan), default ``default_rep_of``; ``tiers``:
    default ``solve_tiers``; ``locked``: account → visits per month that must not change.

    ``most`` (account → :class:`Most`): the most visits its rep's schedule holds, from the rounds before
    (:func:`.calibrate.most_visits`). Served by that rep, the account gets
    U_a = max(L_a, min(U_a, ⌊visits / months⌋)): a visit more would need a tour (or a long day trip) of
    its own, or a day its rep does not have free, whose cost the price per visit (an average,
    :mod:`.calibrate`) does not see.
    """
    rep_of = default_rep_of(data) if rep_of is None else rep_of
    tier_of = (tiers or solve_tiers(data)).tier_of()
    locked = locked or {}
    rules = data.rules
    K = rules.max_visits_per_month
    reps = data.reps
    rep_index = {r.id: i for i, r in enumerate(reps)}
    travel = {**visit_travel_minutes(data, rep_of), **(travel or {})}
    accounts = data.accounts
    n = len(accounts)
    tier_min = np.zeros(n, np.int64)
    tier_max = np.zeros(n, np.int64)
    lower = np.zeros(n, np.int64)
    upper = np.zeros(n, np.int64)
    for a, account in enumerate(accounts):
        band = rules.band(tier_of.get(account.id, ""))
        low = math.ceil(band.min - 1e-9) if band else 0
        high = math.floor(band.max + 1e-9) if band else K
        tier_min[a], tier_max[a] = low, high
        lower[a], upper[a] = low, max(low, min(high, K))
        if account.id in locked:
            lower[a] = upper[a] = max(0, int(locked[account.id]))
    rep_by_id = data.rep_by_id
    reachable = np.array(
        [
            rep_of.get(acc.id) not in rep_by_id or data.reaches(rep_by_id[rep_of[acc.id] or ""], acc)
            for acc in accounts
        ],
        dtype=bool,
    ).reshape(n)
    lower[~reachable] = upper[~reachable] = 0  # no visit fits a day from its rep's home: none is planned
    held = np.full(n, -1, np.int64)
    held_by = [""] * n
    months = data.horizon.months
    for a, account in enumerate(accounts):
        limit = (most or {}).get(account.id)
        if limit and rep_of.get(account.id) == limit.rep and account.id not in locked and reachable[a]:
            most_per_month = math.floor(limit.visits / months + 1e-9)
            cap = max(int(lower[a]), most_per_month)
            if cap < upper[a]:
                held[a] = upper[a] = cap
                held_by[a] = limit.why if most_per_month >= lower[a] else "minimum"
    top = int(upper.max()) if n else 0
    curves = tuple(response_of(data, acc, tier_of.get(acc.id, "")) for acc in accounts)
    owner = np.array(
        [rep_index.get(rep_of.get(acc.id) or "", -1) for acc in accounts], dtype=np.int64
    ).reshape(n)
    rep_cost = np.array([r.cost_per_hour for r in reps], dtype=float)
    cost = np.full(n, float(rules.cost_per_hour))
    cost[owner >= 0] = rep_cost[owner[owner >= 0]]
    visit = np.array([acc.visit_minutes for acc in accounts], dtype=float).reshape(n)
    trip = np.array([travel.get(acc.id, 0.0) for acc in accounts], dtype=float).reshape(n)
    unit = np.maximum(1, np.ceil(visit + trip - 1e-9)).astype(np.int64)
    margin = np.array([acc.margin for acc in accounts], dtype=float).reshape(n)
    levels = np.arange(top + 1, dtype=float)
    sales = np.array([c.sales(levels) for c in curves], dtype=float).reshape(n, top + 1)
    profit = margin[:, None] * sales / 12.0 - levels[None, :] * (unit * cost / 60.0)[:, None]
    given = np.array([acc.current_visits_per_month is not None for acc in accounts], dtype=bool)
    current = np.array([acc.current_visits_per_month or 0.0 for acc in accounts], dtype=float).reshape(n)
    return CallProblem(
        account_ids=tuple(acc.id for acc in accounts),
        account_regions=tuple(acc.region for acc in accounts),
        tiers=tuple(tier_of.get(acc.id, "") for acc in accounts),
        curves=curves,
        rep_of=owner,
        margin=margin,
        visit_minutes=visit,
        travel_minutes=trip,
        unit=unit,
        tier_min=tier_min,
        tier_max=tier_max,
        lower=lower,
        upper=upper,
        locked=np.array([acc.id in locked for acc in accounts], dtype=bool).reshape(n),
        held=held,
        held_by=tuple(held_by),
        reachable=reachable,
        current_visits=current,
        current_given=given,
        sales=sales,
        profit=profit,
        cost_per_hour=cost,
        rep_ids=tuple(r.id for r in reps),
        rep_regions=tuple(r.region for r in reps),
        hours_available=np.array([r.available_hours_per_month for r in reps], dtype=float),
        paid_hours=np.array([r.monthly_hours for r in reps], dtype=float),
        rep_cost_per_hour=rep_cost,
        max_level=K,
    )
