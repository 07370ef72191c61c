"""Sales response to visits: the ADBUDG curve fitted to CALLPLAN judgments (Lodish 1971), through
today's point — the visits an account gets now give the sales it buys now.

An account's expected sales at x visits per month (currency/year) is S · r(x) with

    r(x) = max(0, low + (high − low) · u^c / (d + u^c)),        u = x / x0

The judgments (ratios of sales at the reference level x0: with no visits, at half, at 150 %, at
saturation) fix the shape c and d (below); where the curve sits depends on what the account does today
— its current sales S₀ (``current_sales``, last 12 months) and current visits x₀ (``current_visits_per_month``,
none = 0):

    visited now (S₀ > 0, x₀ > 0)      S = S₀, x0 = x₀, low = r_min, high = r_max: r(x₀) = 1;
                                      fewer visits lose sales down to r_min·S₀, more gain up to r_max·S₀
    buys without visits (S₀ > 0, x₀ = 0)
                                      S = S₀, x0 = the tier minimum (at least 1), low = 1, high = r_max:
                                      r(0) = 1 — what it buys with no visit is what it buys today; visits
                                      add up to r_max·S₀ along the judged shape
    prospect (S₀ = 0)                 S = potential, high = 1, x0 = the tier minimum (at least 1), low
                                      such that r(x₀) = 0: no sales at today's visits, the potential at
                                      saturation

so the current plan's expected sales are exactly Σ current_sales. Symbols: r_min the judgment with no
visits (``at_zero``), r_max at saturation (``at_saturation``, at least potential / S₀ when the account
gives none), c ≤ 1 concave or c > 1 S-shaped (the first visits barely move sales), and d = (r_max − 1) /
(1 − r_min), so that the judged curve passes 1 at its reference level.

The shape c is fitted to the two remaining judgments, sales at half (u = ½) and at 150 % (u = 3/2) of
the reference level: each point gives u^c = d·y/(1 − y) with y = (r − r_min)/(r_max − r_min), i.e.
c·ln u = z; c is the least-squares slope through the origin, c = Σ ln u · z / Σ (ln u)², clipped to
[0.1, 10] (Lodish 1971, "CALLPLAN: an interactive salesman's call planning system", Management Science
18(4) P25–P40; Little 1970, "Models and managers: the concept of a decision calculus").

Where judgments come from, column by column: the account's own ``response_at_*`` columns, else the
policy's ``by_segment``, ``by_tier``, then ``default``. Judgments are clipped so that the judged curve
rises through 1.0 at its reference level: r_min ≤ 0.999 and r_max ≥ 1.001 (a curve with high − low <
1e-9 is flat).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..data import Account, Judgment, PlanData

_C_RANGE = (0.1, 10.0)
_EPS = 1e-6


@dataclass(frozen=True)
class ResponseCurve:
    """ADBUDG response of one account (see module docstring); sales in currency/year."""

    scale: float  # S, currency/year
    reference: float  # x0, visits/month
    r_min: float  # low: the curve's floor (r_min when visited now, 1 when it buys without visits)
    r_max: float  # high: the curve's ceiling
    c: float
    d: float

    def ratio(self, visits: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """r(x): sales as a ratio of S at ``visits`` per month (never below 0)."""
        x = np.maximum(np.asarray(visits, dtype=float), 0.0)
        if self.r_max - self.r_min < 1e-9:
            return np.full_like(x, max(self.r_max, 0.0))
        power = (x / self.reference) ** self.c
        return np.maximum(0.0, self.r_min + (self.r_max - self.r_min) * power / (self.d + power))

    def sales(self, visits: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Expected sales, currency/year, at ``visits`` per month."""
        return self.scale * self.ratio(visits)

    @property
    def s_shaped(self) -> bool:
        return self.c > 1.0 and self.r_max - self.r_min >= 1e-9


def fit_adbudg(
    at_zero: float, at_half: float, at_150: float, at_saturation: float
) -> tuple[float, float, float, float]:
    """(r_min, r_max, c, d) of the ADBUDG curve through the judgments (ratios; reference level = 1)."""
    r_min = min(at_zero, 1.0 - 1e-3)
    r_max = max(at_saturation, 1.0 + 1e-3)
    d = (r_max - 1.0) / (1.0 - r_min)
    numerator = denominator = 0.0
    for u, r in ((0.5, at_half), (1.5, at_150)):
        y = min(max((r - r_min) / (r_max - r_min), _EPS), 1.0 - _EPS)
        z = math.log(d * y / (1.0 - y))
        numerator += math.log(u) * z
        denominator += math.log(u) ** 2
    c = min(max(numerator / denominator, _C_RANGE[0]), _C_RANGE[1])
    return r_min, r_max, c, d


def judgment_of(data: PlanData, account: Account, tier: str) -> Judgment:
    """The policy judgment that applies to an account: by segment, else by tier, else the default."""
    rules = data.rules
    if account.segment is not None and account.segment in rules.response_by_segment:
        return rules.response_by_segment[account.segment]
    if tier in rules.response_by_tier:
        return rules.response_by_tier[tier]
    return rules.response_default


def reference_visits(account: Account, tier_minimum: float) -> float:
    """x0 of the judged shape: current visits per month when there are any, else the tier minimum, at
    least 1."""
    current = account.current_visits_per_month
    if current is not None and current > 0:
        return float(current)
    return max(float(tier_minimum), 1.0)


def response_of(data: PlanData, account: Account, tier: str) -> ResponseCurve:
    """The fitted response curve of one account, through today's point (module docstring)."""
    policy = judgment_of(data, account, tier)
    own = account.response

    def pick(value: float, default: float) -> float:
        return default if math.isnan(value) else value

    at_zero = pick(own.at_zero, policy.at_zero)
    at_half = pick(own.at_half, policy.at_half)
    at_150 = pick(own.at_150, policy.at_150)
    if not math.isnan(own.at_saturation):
        at_saturation = own.at_saturation
    elif account.current_sales > 0:
        at_saturation = max(policy.at_saturation, account.potential / account.current_sales)
    else:
        at_saturation = policy.at_saturation
    r_min, r_max, c, d = fit_adbudg(at_zero, at_half, at_150, at_saturation)
    band = data.rules.band(tier)
    x0 = reference_visits(account, band.min if band is not None else 0.0)
    today = account.current_visits_per_month or 0.0
    if account.current_sales > 0 and today > 0:
        return ResponseCurve(float(account.current_sales), x0, r_min, r_max, c, d)
    if account.current_sales > 0:
        return ResponseCurve(float(account.current_sales), x0, 1.0, r_max, c, d)
    # a prospect: r rises from 0 at today's visits to the potential at saturation
    power = (today / x0) ** c
    share = power / (d + power)
    low = -share / (1.0 - share)
    return ResponseCurve(float(account.potential), x0, low, 1.0, c, d)
