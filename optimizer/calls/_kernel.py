"""Numba core of the exact multiple-choice knapsack: one group (one rep's accounts) at a time.

Levels here are relative to each item's lower bound: item a picks j ∈ 0..J_a, weighs j·t_a minutes and
is worth q[a, j] (q[a, 0] = 0; entries beyond J_a are −inf). Capacity R minutes (what is left after the
minimum levels). See mckp.py for the method; this file only computes.
"""

from __future__ import annotations

import numpy as np
from numba import njit

NEG = -np.inf


@njit(cache=True)
def hull_segments(q: np.ndarray, top: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, ...]:
    """Segments of each item's upper concave hull with positive slope, item by item, in hull order.

    Returns (item, start, end, slope per minute, value gain). Levels are equally spaced in weight
    (j·t_a), so the hull over j is the hull over weight.
    """
    m = q.shape[0]
    cap = int(top.sum()) + 1
    item = np.empty(cap, np.int64)
    start = np.empty(cap, np.int64)
    end = np.empty(cap, np.int64)
    slope = np.empty(cap, np.float64)
    gain = np.empty(cap, np.float64)
    n = 0
    for a in range(m):
        cur = 0
        while cur < top[a]:
            best, best_j = NEG, -1
            for j in range(cur + 1, top[a] + 1):
                s = (q[a, j] - q[a, cur]) / ((j - cur) * t[a])
                if s >= best:  # ties: the farthest level, so slopes strictly fall along the hull
                    best, best_j = s, j
            if best <= 0.0:
                break
            item[n], start[n], end[n] = a, cur, best_j
            slope[n], gain[n] = best, q[a, best_j] - q[a, cur]
            n += 1
            cur = best_j
    return item[:n], start[:n], end[:n], slope[:n], gain[:n]


@njit(cache=True)
def lp_multiplier(order: np.ndarray, weight: np.ndarray, slope: np.ndarray, capacity: int) -> float:
    """λ of the LP relaxation: slope of the first hull segment (by falling slope) that does not fit."""
    used = 0
    for s in order:
        if used + weight[s] > capacity:
            return slope[s]
        used += weight[s]
    return 0.0


@njit(cache=True)
def lagrangian(
    q: np.ndarray, top: np.ndarray, t: np.ndarray, lam: float, capacity: int
) -> tuple[float, np.ndarray]:
    """L(λ) = λ·R + Σ_a max_j (q_aj − λ·j·t_a), a valid upper bound for every λ ≥ 0, and the maxima."""
    m = q.shape[0]
    best = np.empty(m, np.float64)
    total = lam * capacity
    for a in range(m):
        b = NEG
        for j in range(top[a] + 1):
            v = q[a, j] - lam * j * t[a]
            if v > b:
                b = v
        best[a] = b
        total += b
    return total, best


@njit(cache=True)
def greedy(
    q: np.ndarray,
    top: np.ndarray,
    t: np.ndarray,
    order: np.ndarray,
    item: np.ndarray,
    end: np.ndarray,
    weight: np.ndarray,
    capacity: int,
) -> np.ndarray:
    """A feasible plan: hull segments by falling slope while they fit, then one fill-up pass."""
    m = q.shape[0]
    level = np.zeros(m, np.int64)
    closed = np.zeros(m, np.bool_)
    left = capacity
    for s in order:
        a = item[s]
        if closed[a]:
            continue
        if weight[s] <= left:
            level[a] = end[s]
            left -= weight[s]
        else:
            closed[a] = True
    for a in range(m):  # spend what is left on the best affordable raise of each item in turn
        best_j = level[a]
        for j in range(level[a] + 1, top[a] + 1):
            if (j - level[a]) * t[a] <= left and q[a, j] > q[a, best_j]:
                best_j = j
        left -= (best_j - level[a]) * t[a]
        level[a] = best_j
    return level


@njit(cache=True)
def reduced_dp(
    q: np.ndarray, t: np.ndarray, allowed: np.ndarray, free: np.ndarray, capacity: int, extra: int
) -> tuple[np.ndarray, float, float]:
    """Exact DP over integer minutes for the free items, levels restricted to ``allowed``.

    f[c] = best value of the free items with total weight ≤ c, for c = 0..capacity + extra. Returns the
    levels of the free items at ``capacity`` and f[capacity], f[capacity + extra].
    """
    top = capacity + extra
    f = np.zeros(top + 1, np.float64)
    choice = np.zeros((free.shape[0], top + 1), np.int8)
    for i in range(free.shape[0]):
        a = free[i]
        g = np.full(top + 1, NEG)
        for j in range(allowed.shape[1]):
            if not allowed[a, j]:
                continue
            w = j * t[a]
            v = q[a, j]
            for c in range(w, top + 1):
                x = f[c - w] + v
                if x > g[c]:
                    g[c] = x
                    choice[i, c] = j
        f = g
    level = np.zeros(free.shape[0], np.int64)
    c = capacity
    for i in range(free.shape[0] - 1, -1, -1):
        j = choice[i, c]
        level[i] = j
        c -= j * t[free[i]]
    return level, f[capacity], f[top]
