"""Why each account got its visit level, in the planner's words.

For account a at level k, with v_a the profit per level (currency/month) and t_a minutes per visit:

    up rate   = max_{k<j≤U} (v_a(j) − v_a(k)) / ((j − k)·t_a/60)   what more visits pay per hour
    down rate = min_{L≤j<k} (v_a(k) − v_a(j)) / ((k − j)·t_a/60)   what the visits it got pay per hour

compared with the rep's shadow price λ_r (currency per selling hour, the Lagrange multiplier of the
rep's hours). The best step may be several visits at once: under S-shaped response one more visit can
pay little while three more pay well — the rate says how many.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from .problem import CallProblem

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


# Why an account is held at the level the rep's schedule holds (CallProblem.held_by)
HELD = {
    "tours": "kept at the {high} visits/month that {rep}'s tours with nights away hold (built for it and its "
    "neighbours; a visit more would need a tour or a long day trip of its own)",
    "days": "kept at the {high} visits/month that {rep}'s days hold (the schedule found no regularly spaced "
    "day with room for one more)",
    "trips": "kept at the {high} visits/month that {rep}'s trips reached in an earlier round (beyond a day "
    "trip, and the rep's schedule, on day trips or on tours, kept no more of its visits)",
    "minimum": "kept at its tier-{tier} minimum of {high} visits/month, though {rep}'s schedule holds fewer "
    "(dropped.csv says why)",
}


def _money(x: float) -> str:
    return f"{x:,.0f}"


def step_rates(problem: CallProblem, levels: IntArray) -> tuple[FloatArray, IntArray, FloatArray]:
    """(up rate, visits of the best step up, down rate) per account, currency/hour (nan where none)."""
    n = len(problem.account_ids)
    up = np.full(n, math.nan)
    up_steps = np.zeros(n, np.int64)
    down = np.full(n, math.nan)
    for a in range(n):
        k, hours = int(levels[a]), problem.unit[a] / 60.0
        v = problem.profit[a]
        ups = [((v[j] - v[k]) / ((j - k) * hours), j - k) for j in range(k + 1, problem.upper[a] + 1)]
        if ups:
            up[a], up_steps[a] = max(ups, key=lambda item: (item[0], -item[1]))
        downs = [(v[k] - v[j]) / ((k - j) * hours) for j in range(problem.lower[a], k)]
        if downs:
            down[a] = min(downs)
    return up, up_steps, down


def reasons(
    problem: CallProblem,
    levels: IntArray,
    shadow: FloatArray,
    slack_minutes: IntArray,
    currency: str,
) -> tuple[list[str], FloatArray]:
    """One sentence per account and the up rate (marginal profit per hour of more visits)."""
    up, up_steps, down = step_rates(problem, levels)
    texts: list[str] = []
    for a in range(len(problem.account_ids)):
        r, k = int(problem.rep_of[a]), int(levels[a])
        tier, low, high = problem.tiers[a], int(problem.lower[a]), int(problem.upper[a])
        lam = float(shadow[r]) if r >= 0 else 0.0
        per_hour = f"{currency}/h"
        if r < 0:
            texts.append("no rep of its region can serve it: left at its minimum")
            continue
        if not problem.reachable[a]:
            texts.append(f"no visit planned: a day trip from {problem.rep_ids[r]}'s home does not reach it")
            continue
        if problem.locked[a]:
            texts.append(f"locked at {k} visits/month")
            continue
        got = (
            f"the visits above its minimum pay ≥ {_money(down[a])} {per_hour}"
            if not math.isnan(down[a])
            else ""
        )
        if k >= high:
            if problem.held[a] == high:
                cap = HELD[problem.held_by[a]].format(high=high, rep=problem.rep_ids[r], tier=tier)
            elif high == problem.tier_max[a] or high == low:
                cap = f"tier-{tier} maximum of {high} visits/month reached"
            else:
                cap = f"highest level modelled ({problem.max_level} visits/month, policy.response)"
            texts.append(f"{cap}; {got}" if got else cap)
            continue
        rate, steps = float(up[a]), int(up_steps[a])
        gain = rate * steps * problem.unit[a] / 60.0
        more = f"+{steps} visit{'s' if steps > 1 else ''}"
        prefix = f"tier-{tier} minimum of {low} binding: " if k == low and low > 0 else ""
        if rate <= 0:
            worse = float(problem.profit[a, k + 1] - problem.profit[a, k])
            text = (
                f"response saturated: {more} would change profit by {_money(gain)} {currency}/month "
                f"(one more visit: {_money(worse)})"
            )
            if prefix and problem.profit[a, k - 1] > problem.profit[a, k]:
                fewer = problem.profit[a, k - 1] - problem.profit[a, k]
                text = f"one visit fewer would earn {_money(fewer)} {currency}/month more"
            texts.append(prefix + text)
            continue
        need = steps * problem.unit[a]
        if need > slack_minutes[r] and rate > lam:
            text = (
                f"hours exhausted: {more} would pay {_money(rate)} {per_hour} but need {need / 60:.1f} h "
                f"and the rep has {slack_minutes[r] / 60:.1f} h left"
            )
        elif rate <= lam:
            text = (
                f"{more} would pay {_money(rate)} {per_hour}, not above the rep's shadow price "
                f"{_money(lam)} {per_hour}: the hours earn as much or more on other accounts"
            )
        else:
            text = f"{more} would pay {_money(rate)} {per_hour}; not raised (plan not proven optimal)"
        if not prefix and got:
            text = f"{got}; {text}"
        texts.append(prefix + text)
    return texts, up
