"""A proven lower bound on a rep's schedule objective (travel minutes + penalties of visits left out).

Travel. Every visit of account a enters its route by one arc and leaves it by another; charging an arc
between two visits half to each, and an arc from or to home wholly to its visit, gives
travel ≥ Σ_visits h_a with h_a = min(τ_0a, min_j τ_ja / 2) + min(τ_a0, min_j τ_aj / 2), j over the
accounts that can precede (follow) a in some route — j → a only when the two share an allowed day and
the route (j, a) alone keeps both windows and the end of the day (more visits only make it later).
Every route also leaves home once and comes back once; a route holds at most q visits (the most
distinct accounts whose s + h fit in one day), so each visit carries a further e / q, e =
min_a (τ_0a − its in-charge) + min_a (τ_a0 − its out-charge), included in h_a below.

Time. Per working day (D of them): the route lasts at most H − L, and a visit of a takes s_a + h_a of
it; all visits happen between the earliest possible first start T⁻ = min_a max(e_a, τ_0a) and the
latest possible end T⁺ = max_a (l'_a + s_a); at most q visits.

Relaxing the day patterns and integrality leaves a linear programme over the segments g of every account
(its c_g tier-minimum visits at π_g = Δ(2 + w), its other visits at Δ(1 + w); see :mod:`.problem`),
x_g the share of the segment kept:

    LB = min Σ_g c_g·[x_g·h_g + (1 − x_g)·π_g]
    s.t. Σ_g x_g c_g (s_g + h_g) ≤ D·(H − L);   Σ_g x_g c_g s_g ≤ D·(T⁺ − T⁻);   Σ_g x_g c_g ≤ D·q;
         0 ≤ x_g ≤ 1

solved by HiGHS (scipy.optimize.linprog); without an LP answer the capacity rows are dropped.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

from .. import status
from ..result import SolveStatus
from .problem import RepProblem


def _pairs(problem: RepProblem) -> np.ndarray:
    """Which arcs i → j can appear in a route (see module docstring); any arc from or to home can."""
    tau = problem.relaxed_tau
    early = np.array([w[0] for w in problem.window], dtype=float)
    late = np.array(problem.engine_late, dtype=float)
    service = np.array(problem.service, dtype=float)
    first = np.maximum(tau[0, 1:], early)
    second = np.maximum((first + service)[:, None] + tau[1:, 1:], early[None, :])
    ok = (first <= late + 1e-9)[:, None] & (second <= late[None, :] + 1e-9)
    ok &= second + service[None, :] + tau[1:, 0][None, :] <= problem.engine_day + 1e-9
    share = np.array([[bool(set(a) & set(b)) for b in problem.allowed] for a in problem.allowed])
    pairs = np.ones_like(tau, dtype=bool)
    pairs[1:, 1:] = ok & share
    np.fill_diagonal(pairs, False)
    return pairs


def _charges(problem: RepProblem) -> tuple[np.ndarray, int]:
    """h_a (travel minutes each visit of a certainly causes) and q (most visits a route can hold)."""
    tau = np.where(_pairs(problem), problem.relaxed_tau, np.inf)
    tau[1:, 1:] /= 2.0  # an arc between two visits is shared by both; an arc from or to home is not
    come, leave = tau[:, 1:].min(axis=0), tau[1:, :].min(axis=1)
    h = come + leave
    room, q = float(problem.engine_day), 0
    for time in np.sort(np.asarray(problem.service, dtype=float) + h):
        if room < time:
            break
        room, q = room - time, q + 1
    extra = float(np.min(problem.relaxed_tau[0, 1:] - come) + np.min(problem.relaxed_tau[1:, 0] - leave))
    return h + extra / max(q, 1), max(q, 1)


def lower_bound(problem: RepProblem) -> float:
    """LB of the module docstring, in the objective's units (minutes)."""
    if problem.n == 0:
        return problem.night_minutes
    h, q = _charges(problem)
    count, hop, service, pi = [], [], [], []
    for a in range(problem.n):
        above = problem.fitted[a] - problem.minimum[a]
        for c, level in ((above, 1.0), (problem.minimum[a], 2.0)):
            if c > 0:
                count.append(float(c))
                hop.append(h[a])
                service.append(float(problem.service[a]))
                pi.append(problem.delta * (level + problem.weight[a]))
    cc, hh, s, p = (np.array(v, dtype=float) for v in (count, hop, service, pi))
    constant = float(np.dot(cc, p))
    days = len(problem.dates)
    starts = np.maximum([w[0] for w in problem.window], problem.relaxed_tau[0, 1:])
    span = max(0.0, float(np.max(np.add(problem.engine_late, problem.service)) - np.min(starts)))
    rows = np.vstack([cc * (s + hh), cc * s, cc])
    limits = np.array([days * problem.engine_day, days * span, days * q], dtype=float)
    answer = linprog(cc * (hh - p), A_ub=rows, b_ub=limits, bounds=(0.0, 1.0), method="highs")
    if status.highs(answer).status is SolveStatus.OPTIMAL:
        value = constant + float(answer.fun)
        return max(0.0, value - 1e-7 * abs(value)) + problem.night_minutes
    return float(np.dot(cc, np.minimum(hh, p))) + problem.night_minutes
