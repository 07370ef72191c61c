"""Sales response to visits: the ADBUDG curve fitted to CALLPLAN judgments (Lodish 1971).

An account's expected sales at x visits per month (currency/year) is S · r(x) with

    r(x) = r_min + (r_max − r_min) · u^c / (d + u^c),        u = x / x0

where
    S      sales scale, currency/year: the account's current sales (when they are 0, potential / r_max),
    x0     reference level, visits/month: the current visits per month; when missing or 0, the tier
           minimum, at least 1 (sales at the reference level are the current sales),
    r_min  sales with no visits, as a ratio of current sales (judgment ``at_zero``),
    r_max  sales at saturation, as a ratio (judgment ``at_saturation``),
    c      shape: c ≤ 1 concave, c > 1 S-shaped (the first visits barely move sales),
    d      set so that r(x0) = 1 exactly: d = (r_max − 1) / (1 − r_min).

The shape c is fitted to the two remaining judgments, sales at half (u = ½) and at 150 % (u = 3/2) of
the reference level: each point gives u^c = d·y/(1 − y) with y = (r − r_min)/(r_max − r_min), i.e.
c·ln u = z; c is the least-squares slope through the origin, c = Σ ln u · z / Σ (ln u)², clipped to
[0.1, 10] (Lodish 1971, "CALLPLAN: an interactive salesman's call planning system", Management Science
18(4) P25–P40; Little 1970, "Models and managers: the concept of a decision calculus").

Where judgments come from, column by column: the account's own ``response_at_*`` columns, else the
policy's ``by_segment``, ``by_tier``, then ``default``. When the account gives no saturation judgment,
r_max is at least potential / current sales (with unlimited visits an account can reach its potential).
Judgments are clipped so that the curve rises through 1.0 at the reference level:
r_min ≤ 0.999 and r_max ≥ 1.001 (a curve with r_max − r_min < 1e-9 is flat at 1.0).
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
    r_min: float
    r_max: float
    c: float
    d: float

    def ratio(self, visits: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """r(x): sales as a ratio of current sales at ``visits`` per month."""
        x = np.maximum(np.asarray(visits, dtype=float), 0.0)
        if self.r_max - self.r_min < 1e-9:
            return np.full_like(x, self.r_max)
        power = (x / self.reference) ** self.c
        return self.r_min + (self.r_max - self.r_min) * power / (self.d + power)

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
    """x0: current visits per month, else the tier minimum, at least 1."""
    current = account.current_visits_per_month
    if current is not None and current > 0:
        return float(current)
    return max(float(tier_minimum), 1.0)


def response_of(data: PlanData, account: Account, tier: str) -> ResponseCurve:
    """The fitted response curve of one account (judgments resolved column by column)."""
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
    scale = account.current_sales if account.current_sales > 0 else account.potential / r_max
    band = data.rules.band(tier)
    minimum = band.min if band is not None else 0.0
    return ResponseCurve(float(scale), reference_visits(account, minimum), r_min, r_max, c, d)
