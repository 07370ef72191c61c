"""Lagrangian lower bound of the balanced p-median (compiled step; subgradient loop in ``bounds``).

Relaxation (valid for the territory problem with objective "median": contiguity, locks and the
disruption term λ·Σ v_i ≥ 0 are dropped, which can only lower the optimum):

    min  Σ_i Σ_j w_i d_ij x_ij
    s.t. (1) Σ_j x_ij = 1                      every unit assigned            — multiplier λ_i (free)
         (2) Σ_j y_j = p                        p centres
         (3) x_ij ≤ y_j, x_jj = y_j             assigned to an open centre, a centre serves itself
         (4) Σ_i a_ie x_ij ≤ U_e y_j            balance, upper side            — multiplier π⁺_je ≥ 0
         (5) Σ_i a_ie x_ij ≥ L_e y_j            balance, lower side            — multiplier π⁻_je ≥ 0
with U_e = (1 + t_e) μ_e and L_e = (1 − t_e) μ_e. Relaxing (1), (4), (5) leaves, for each candidate
centre j, ρ_j = c_jj + Σ_{i≠j} min(0, c_ij) + Σ_e (π⁻_je L_e − π⁺_je U_e) with
c_ij = w_i d_ij − λ_i + Σ_e (π⁺_je − π⁻_je) a_ie; the p smallest ρ_j open, and
L(λ, π) = Σ_i λ_i + Σ_{j open} ρ_j ≤ optimum (weak duality). What is left after relaxing (1), (4), (5) is
integral, so max L equals the LP relaxation of (1)–(5) (on c500-p10-1: 15,773 from PDLP's duals).
Source: the classic p-median Lagrangian (Cornuéjols, Fisher & Nemhauser 1977) with balance rows relaxed
as well.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def lagrangian_step(
    cwt: np.ndarray,
    act: np.ndarray,
    low: np.ndarray,
    up: np.ndarray,
    lam: np.ndarray,
    pp: np.ndarray,
    pm: np.ndarray,
    p: int,
    g_lam: np.ndarray,
    g_pp: np.ndarray,
    g_pm: np.ndarray,
) -> float:
    """L(λ, π) and a step direction (written to g_*). ``cwt[j, i]`` = w_i d_ij (the cost matrix
    transposed, so that a centre's column is read in order); ``act`` holds the balanced measures only.

    g_lam is the subgradient of L in λ. g_pp[j], g_pm[j] are the subgradient of ρ_j in π_j for every
    centre j, open or not: for an open centre that is L's subgradient; for a closed one it raises ρ_j
    towards the value of its territory, so that the centre does not open on a ρ_j its balance rows would
    refuse (L never falls when a ρ_j rises: it sums the p smallest)."""
    n = cwt.shape[0]
    mb = act.shape[1]
    rho = np.empty(n)
    for j in range(n):
        shift = 0.0
        for e in range(mb):
            shift += pm[j, e] * low[e] - pp[j, e] * up[e]
            g_pp[j, e] = -up[e]
            g_pm[j, e] = low[e]
        s = shift
        for i in range(n):
            c = cwt[j, i] - lam[i]
            for e in range(mb):
                c += (pp[j, e] - pm[j, e]) * act[i, e]
            if i == j or c < 0.0:
                s += c
                for e in range(mb):
                    g_pp[j, e] += act[i, e]
                    g_pm[j, e] -= act[i, e]
        rho[j] = s
    order = np.argsort(rho)
    value = lam.sum()
    for i in range(n):
        g_lam[i] = 1.0
    for t in range(p):
        j = order[t]
        value += rho[j]
        for i in range(n):
            c = cwt[j, i] - lam[i]
            for e in range(mb):
                c += (pp[j, e] - pm[j, e]) * act[i, e]
            if i == j or c < 0.0:
                g_lam[i] -= 1.0
    return value


@njit(cache=True, nogil=True)
def initial_multipliers(cw: np.ndarray, p: int) -> np.ndarray:
    """λ_i = w_i · distance to the ⌈n/p⌉-th nearest unit: each centre then attracts about n/p units."""
    n = cw.shape[0]
    k = min(n - 1, max(1, (n + p - 1) // p))
    lam = np.empty(n)
    for i in range(n):
        row = np.sort(cw[i])
        lam[i] = row[k]
    return lam
