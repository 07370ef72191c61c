"""What the opportunities stage decides: the ranked opportunities, the portfolio chosen under the reps'
hours, and the hours behind it. Money in currency; hours over the horizon."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ..data import PlanData
from ..result import Infeasibility, Kpi, SolveInfo
from ..tiers.result import ClassResult, TierResult
from .portfolio import PortfolioResult
from .ranking import FloatArray, Ranking


@dataclass(frozen=True)
class RepHours:
    """A rep's hours this quarter: selling hours, visit load, and what is left for opportunities."""

    rep: str
    region: str
    selling_hours: float  # over the horizon, after absences
    available_share: float  # share of the horizon's working days the rep works
    visit_hours: float  # visit load over the horizon (visits and their travel)
    opportunity_hours: float  # hours_share × max(0, selling − visits)


@dataclass(frozen=True, eq=False)
class OpportunityResult:
    """Everything `salesplan rank` decides; rows in scenario order."""

    tiers: TierResult
    ranking: Ranking
    portfolio: PortfolioResult
    hours: tuple[RepHours, ...]
    rep_of: Mapping[str, str]  # account → the rep who serves it (the capacity it draws on)
    owner: tuple[str, ...]  # rep serving each opportunity's account ('' when none)
    margin: FloatArray  # margin share used for each opportunity's expected value
    capacity_by: Literal["rep", "region"]

    @property
    def info(self) -> SolveInfo:
        return self.portfolio.info

    @property
    def classes(self) -> ClassResult:
        return self.tiers.classes

    @property
    def infeasibilities(self) -> tuple[Infeasibility, ...]:
        return self.portfolio.explanations

    def check(self, data: PlanData) -> tuple[str, ...]:
        """No pool over its hours, must-pursue in, excluded out, the per-account limit kept (must-pursue
        ones aside) — recomputed from the chosen set."""
        if self.portfolio.explanations:
            return ()
        bad: list[str] = []
        selected = self.portfolio.selected
        pool_of = {p.name: p for p in self.portfolio.pools}
        used: dict[str, float] = {}
        per_account: dict[str, int] = {}
        for o, chosen, owner in zip(data.opportunities, selected.tolist(), self.owner, strict=True):
            if o.must_pursue and owner and not chosen:
                bad.append(f"{o.id}: must-pursue but not chosen")
            if o.exclude and chosen:
                bad.append(f"{o.id}: excluded but chosen")
            if chosen:
                pool = owner if self.capacity_by == "rep" else f"region {data.rep_by_id[owner].region}"
                used[pool] = used.get(pool, 0.0) + np.ceil(o.effort_hours * 60 - 1e-9) / 60
                if not o.must_pursue:
                    per_account[o.account] = per_account.get(o.account, 0) + 1
        for pool, hours in used.items():
            if pool in pool_of and hours > max(pool_of[pool].capacity_hours, pool_of[pool].must_hours) + 1e-6:
                bad.append(
                    f"{pool}: {hours:.2f} h of opportunities, {pool_of[pool].capacity_hours:.2f} h free"
                )
        limit = data.rules.max_opportunities_per_account
        for account, count in per_account.items():
            if limit is not None and count > limit:
                bad.append(f"{account}: {count} optional opportunities chosen, limit {limit}")
        return tuple(bad)

    def summary(self) -> str:
        chosen = int(self.portfolio.selected.sum())
        value = float(self.ranking.expected_value[self.portfolio.selected].sum()) if chosen else 0.0
        return f"{self.info.summary()}\n  {chosen} of {len(self.portfolio.selected)} opportunities chosen, expected value {value:,.0f}"

    def frames(self, data: PlanData) -> dict[str, pd.DataFrame]:
        return {
            "accounts": self.accounts_frame(data),
            "opportunities": self.opportunities_frame(data),
            "capacity": self.capacity_frame(),
        }

    def kpis(self, data: PlanData) -> list[Kpi]:
        months = data.horizon.months
        available = sum(r.available_hours_per_month for r in data.reps)
        effort = np.array([o.effort_hours for o in data.opportunities], dtype=float)
        selected = self.portfolio.selected
        hours = float(effort[selected].sum()) if len(effort) else 0.0
        value = self.ranking.expected_value
        return [
            Kpi.of("opportunity_hours_used", "selling hours given to pursued opportunities", "%", None,
                   100.0 * hours / months / available if available and months else None, None),
            Kpi.of("opportunities_chosen", "opportunities pursued", "opportunities", None, float(selected.sum()), None),
            Kpi.of("opportunity_value", "expected value of the pursued opportunities", data.currency, None,
                   float(value[selected].sum()) if len(value) else 0.0, True),
        ]  # fmt: skip

    def accounts_frame(self, data: PlanData) -> pd.DataFrame:
        """accounts.csv: one row per account — tier and class with their reasons, the values behind them,
        its rep and its opportunities."""
        tiers = {t.account_id: t for t in self.tiers.assignments}
        classes = {c.account_id: c for c in self.classes.classes}
        opportunities = pd.DataFrame(
            {
                "account": [o.account for o in data.opportunities],
                "selected": self.portfolio.selected,
                "value": self.ranking.expected_value,
            }
        )
        chosen_value = opportunities["value"].where(opportunities["selected"], 0.0)
        by_account = opportunities.assign(chosen_value=chosen_value).groupby("account")
        rows = []
        for a in data.accounts:
            t, c = tiers[a.id], classes[a.id]
            rows.append(
                {
                    "account": a.id,
                    "name": a.name,
                    "region": a.region,
                    "rep": self.rep_of.get(a.id, ""),
                    "tier": t.tier,
                    "tier_rank": t.rank,
                    "value": round(t.value, 2),
                    "cumulative_share": round(t.cumulative_share, 4),
                    "score": None if t.score is None else round(t.score, 1),
                    "class": c.klass,
                    "share_of_wallet": None if c.share_of_wallet is None else round(c.share_of_wallet, 4),
                    "growth_rate": c.growth,
                    "current_sales": a.current_sales,
                    "potential": a.potential,
                    "margin": a.margin,
                    "reason": t.reason,
                    "class_reason": c.reason,
                }
            )
        frame = pd.DataFrame(rows)
        counts = by_account.agg(
            opportunities=("value", "size"),
            chosen=("selected", "sum"),
            chosen_expected_value=("chosen_value", "sum"),
        )
        frame = frame.join(counts, on="account")
        frame[["opportunities", "chosen"]] = frame[["opportunities", "chosen"]].fillna(0).astype(int)
        frame["chosen_expected_value"] = frame["chosen_expected_value"].fillna(0.0).round(2)
        order = {tier: k for k, tier in enumerate(data.rules.bands)}
        frame["_tier"] = frame["tier"].map(order).fillna(len(order))
        frame = frame.sort_values(["_tier", "tier_rank", "account"], kind="stable").drop(columns="_tier")
        columns = [c for c in frame.columns if c not in ("reason", "class_reason")] + [
            "reason",
            "class_reason",
        ]
        return frame[columns].reset_index(drop=True)

    def opportunities_frame(self, data: PlanData) -> pd.DataFrame:
        """opportunities.csv: one row per opportunity, best first — value, quadrant, chosen or not, why."""
        ranking, portfolio = self.ranking, self.portfolio
        accounts = data.account_by_id
        opportunities = data.opportunities
        frame = pd.DataFrame(
            {
                "rank": ranking.rank,
                "opportunity": [o.id for o in opportunities],
                "account": [o.account for o in opportunities],
                "account_name": [accounts[o.account].name for o in opportunities],
                "rep": self.owner,
                "type": [o.type for o in opportunities],
                "size": [o.size for o in opportunities],
                "probability": [o.probability for o in opportunities],
                "margin": self.margin,
                "expected_value": ranking.expected_value.round(2),
                "effort_hours": [o.effort_hours for o in opportunities],
                "value_per_hour": ranking.value_per_hour.round(2),
                "quadrant": ranking.quadrant_names(),
                "must_pursue": [o.must_pursue for o in opportunities],
                "exclude": [o.exclude for o in opportunities],
                "selected": portfolio.selected,
                "reason": portfolio.reasons,
                "due_date": [o.due_date.isoformat() if o.due_date else "" for o in opportunities],
                "description": [o.description or "" for o in opportunities],
            }
        )
        return frame.sort_values("rank", kind="stable").reset_index(drop=True)

    def capacity_frame(self) -> pd.DataFrame:
        """capacity.csv: one row per capacity pool (rep, or region) — hours, use, value of one more hour."""
        rows = []
        for plan in self.portfolio.pools:
            name = plan.name.removeprefix("region ")
            reps = [h for h in self.hours if (h.region if self.capacity_by == "region" else h.rep) == name]
            rows.append(
                {
                    "rep": name if self.capacity_by == "rep" else "",
                    "region": reps[0].region if reps else name,
                    "reps": len(reps),
                    "selling_hours": round(sum(h.selling_hours for h in reps), 2),
                    "visit_hours": round(sum(h.visit_hours for h in reps), 2),
                    "hours_available": round(plan.capacity_hours, 2),
                    "hours_used": round(plan.used_hours, 2),
                    "hours_left": round(plan.left_hours, 2),
                    "must_pursue_hours": round(plan.must_hours, 2),
                    "candidates": plan.candidates,
                    "chosen": plan.chosen,
                    "expected_value": round(plan.value, 2),
                    "bound": round(plan.bound, 2),
                    "status": plan.status.value,
                    "value_of_one_more_hour": _money(plan.hour_value_low),
                    "value_of_one_more_hour_high": _money(plan.hour_value_high),
                    "lp_value_per_hour": round(plan.lp_hour_value, 2),
                }
            )
        return pd.DataFrame(rows)


def _money(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
