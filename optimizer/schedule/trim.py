"""Before routing: lower the visit counts of a rep whose working days cannot hold every visit.

Estimate of the minutes a visit of account a takes, travel included (continuous approximation, as in
:mod:`..workload`): t_a = s_a + 2·τ_0a / S + (min_j τ_ja + min_j τ_aj) / 2, with S = visits per day
(clipped to 1..8). Usable minutes of a day: from the typical earliest first start to the typical latest
return, u = min(H − L, median_a(l'_a + s_a + τ_a0)) − median_a(max(0, e_a − τ_0a)).

While Σ_a n_a·t_a > ρ·u·(working days), the visit with the smallest penalty π (:mod:`.problem`) is left
out: visits above the tier minimum before minimum ones, the least valuable first. The routing engine
then fits what it can and :mod:`.reinsert` puts back what still fits, so ρ only sets where the search
starts, never what is feasible.
"""

from __future__ import annotations

import heapq

import numpy as np

from .problem import RepProblem
from .tours import hops

UTILISATION = 1.0


def visit_minutes_estimate(problem: RepProblem) -> np.ndarray:
    """t_a: minutes per visit of each account, travel included (see module docstring)."""
    n = problem.n
    if n == 0:
        return np.zeros(0)
    tau = problem.relaxed_tau  # on a tour the way out starts from the night's place
    stops = float(np.clip(sum(problem.fitted) / max(len(problem.dates), 1), 1.0, 8.0))
    return np.asarray(problem.service, dtype=float) + 2.0 * tau[0, 1:] / stops + hops(tau[1:, 1:])


def usable_day_minutes(problem: RepProblem) -> float:
    """u: minutes of a working day that visits and their travel can use (see module docstring)."""
    if problem.n == 0:
        return float(problem.engine_day)
    tau = problem.relaxed_tau
    late = np.array(problem.engine_late) + np.array(problem.service) + tau[1:, 0]
    early = np.maximum(0.0, np.array([w[0] for w in problem.window]) - tau[0, 1:])
    return float(min(problem.engine_day, np.median(late)) - np.median(early))


def trimmed_counts(problem: RepProblem, utilisation: float = UTILISATION) -> list[int]:
    """Visits per account to hand to the engine: ``fitted``, lowered until the estimate fits."""
    counts = list(problem.fitted)
    minutes = visit_minutes_estimate(problem)
    capacity = min(utilisation * usable_day_minutes(problem) * len(problem.dates), problem.budget)
    load = float(np.dot(counts, minutes)) if counts else 0.0
    heap = [(problem.next_drop_penalty(a, counts[a]), a) for a in range(problem.n) if counts[a] > 0]
    heapq.heapify(heap)
    while load > capacity + 1e-9 and heap:
        _, a = heapq.heappop(heap)
        counts[a] -= 1
        load -= float(minutes[a])
        while counts[a] > 0 and not problem.patterns(a, counts[a]):
            counts[a] -= 1
            load -= float(minutes[a])
        if counts[a] > 0:
            heapq.heappush(heap, (problem.next_drop_penalty(a, counts[a]), a))
    return counts
