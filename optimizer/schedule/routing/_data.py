"""Flatten a :class:`PeriodicRoutingProblem` into the arrays of the numba search (:class:`_kernel.Data`)."""

from __future__ import annotations

import numpy as np

from ._kernel import Data
from .problem import PeriodicRoutingProblem


def big_penalty(problem: PeriodicRoutingProblem, patterns: tuple[tuple[tuple[int, ...], ...], ...]) -> float:
    """A penalty larger than travel plus optional penalties of any plan: leaving a mandatory customer out
    never pays.

    Any route (from its day's start to its finish, over places too) costs at most (its visits + 1) ·
    max c_ij, so all routes together cost at most
    (Σ_i max_P |P| + Σ_d m_d) · max c_ij; the optional customers' penalties add at most their sum.
    """
    visits = sum(max((len(p) for p in ps), default=0) for ps in patterns)
    routes = sum(day.vehicles for day in problem.days)
    optional = sum(c.drop_penalty for c in problem.customers if c.drop_penalty is not None)
    return 2.0 * ((visits + routes + 1) * max(float(problem.cost.max()), 1.0) + optional) + 1.0


def build_data(
    problem: PeriodicRoutingProblem,
    patterns: tuple[tuple[tuple[int, ...], ...], ...],
    mandatory_penalty: float,
) -> Data:
    """Arrays for the search; customer i may only use ``patterns[i - 1]`` (possibly none).

    The per-node arrays cover the depot and the customers (0..n); places appear only in the matrices
    and as route ends, so no customer loop, pattern or neighbourhood ever meets one.
    """
    n = problem.n
    t = len(problem.days)
    n_nodes = n + 1
    service = np.zeros(n_nodes)
    demand = np.zeros(n_nodes)
    tw_e = np.zeros(n_nodes)
    tw_l = np.full(n_nodes, np.inf)
    penalty = np.zeros(n_nodes)
    pat_ptr = np.zeros(n_nodes + 1, dtype=np.int64)
    pat_days_ptr = [0]
    pat_days: list[int] = []
    allowed = np.zeros((n_nodes, t), dtype=np.bool_)
    for i, customer in enumerate(problem.customers, start=1):
        service[i] = customer.service
        demand[i] = customer.demand
        if customer.time_window is not None:
            tw_e[i], tw_l[i] = customer.time_window
        penalty[i] = mandatory_penalty if customer.drop_penalty is None else customer.drop_penalty
        for p in patterns[i - 1]:
            pat_days.extend(p)
            pat_days_ptr.append(len(pat_days))
            allowed[i, list(p)] = True
        pat_ptr[i + 1] = len(pat_days_ptr) - 1
    vehicles = np.array([day.vehicles for day in problem.days], dtype=np.int64)
    day_route_ptr = np.concatenate([[0], np.cumsum(vehicles)]).astype(np.int64)
    route_day = np.repeat(np.arange(t, dtype=np.int64), vehicles)
    starts = np.array([day.start for day in problem.days], dtype=np.int64)
    finishes = np.array([day.finish for day in problem.days], dtype=np.int64)
    cost = np.ascontiguousarray(problem.cost, dtype=np.float64)
    # start_cost[c] = min over c's days of c[s_d, c]; c[0, c] for a customer with no usable day
    start_cost = cost[0, :n_nodes].copy()
    for c in range(1, n_nodes):
        if allowed[c].any():
            start_cost[c] = cost[starts[allowed[c]], c].min()
    # the granular neighbourhood: for each node, the other customers, nearest first
    both = cost[:n_nodes, :n_nodes] + cost[:n_nodes, :n_nodes].T
    both[:, 0] = np.inf
    np.fill_diagonal(both, np.inf)
    adj = np.argsort(both, axis=1, kind="stable")[:, : max(n - 1, 0)].astype(np.int64)
    return Data(
        cost,
        np.ascontiguousarray(problem.travel_time, dtype=np.float64),
        service,
        demand,
        tw_e,
        tw_l,
        penalty,
        pat_ptr,
        np.array(pat_days_ptr, dtype=np.int64),
        np.array(pat_days, dtype=np.int64),
        allowed,
        route_day,
        day_route_ptr,
        np.array([day.capacity for day in problem.days], dtype=np.float64),
        np.array([day.end for day in problem.days], dtype=np.float64),
        adj,
        starts[route_day],
        finishes[route_day],
        start_cost,
    )
