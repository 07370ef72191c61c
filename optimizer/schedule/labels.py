"""The labelling kernel that prices the day-route bound's columns (:func:`.bound.route_bound`).

A label is a partial route from the day's start: its last account, the time its visit ends, its reduced
cost and its ng-memory (a bit per account it may not visit again: the accounts among whose ng-sets it has
stayed since visiting them; Baldacci, Mingozzi & Roberti 2011). Labels grow one visit a level, earliest
first; a label is dropped when one kept at its account ends earlier, costs less and remembers no more —
every extension of it is then matched by one of the kept label, so the least reduced cost is exact over
the ng-routes. Accounts are bits of an int64: at most 62 a rep.
"""

from __future__ import annotations

import numpy as np
from numba import njit

EPS = 1e-9
FIRST = 4096  # labels the arrays hold before they double


@njit(cache=True)
def _grown(values: np.ndarray, size: int) -> np.ndarray:
    out = np.empty(size, dtype=values.dtype)
    out[: len(values)] = values
    return out


@njit(cache=True)
def label(
    start: int,
    finish: int,
    members: np.ndarray,
    tau: np.ndarray,
    cost: np.ndarray,
    service: np.ndarray,
    early: np.ndarray,
    late: np.ndarray,
    end: float,
    gain: np.ndarray,
    scale: float,
    ng: np.ndarray,
    budget: int,
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """Every kept label of the class's pricing: (labels created, or −1 past ``budget``; each label's
    account, parent label (−1 at the first visit) and reduced cost of the route it closes at the day's
    finish). Node of account a in ``tau``/``cost``: a + 1."""
    n = len(service)
    size = FIRST + len(members)
    node = np.empty(size, dtype=np.int64)
    parent = np.empty(size, dtype=np.int64)
    time = np.empty(size, dtype=np.float64)
    reduced = np.empty(size, dtype=np.float64)
    memory = np.empty(size, dtype=np.int64)
    closed = np.full(size, np.inf)  # stays inf for a label that is not kept
    after = np.empty(size, dtype=np.int64)
    head = np.full(n, -1, dtype=np.int64)  # kept labels per account, a linked list through ``after``
    used = 0
    for a in members:
        begin = max(tau[start, a + 1], early[a])
        if begin > late[a] + EPS or begin + service[a] + tau[a + 1, finish] > end + EPS:
            continue
        node[used], parent[used], time[used] = a, -1, begin + service[a]
        reduced[used] = cost[start, a + 1] * scale - gain[a]
        memory[used] = np.int64(1) << a
        used += 1
    level_start, level_end = 0, used
    while level_start < level_end:
        order = level_start + np.argsort(time[level_start:level_end], kind="mergesort")
        for i in order:
            a, t, rc, mem = node[i], time[i], reduced[i], memory[i]
            j, dominated = head[a], False
            while j >= 0:
                if time[j] <= t + EPS and reduced[j] <= rc + EPS and (memory[j] & mem) == memory[j]:
                    dominated = True
                    break
                j = after[j]
            if dominated:
                continue
            after[i], head[a] = head[a], i
            closed[i] = rc + cost[a + 1, finish] * scale
            for b in members:
                if (mem >> b) & 1:
                    continue
                begin = max(t + tau[a + 1, b + 1], early[b])
                if begin > late[b] + EPS or begin + service[b] + tau[b + 1, finish] > end + EPS:
                    continue
                if used >= budget:
                    return -1, node[:0], parent[:0], closed[:0]
                if used == len(node):
                    size = 2 * len(node)
                    node, parent, time = _grown(node, size), _grown(parent, size), _grown(time, size)
                    reduced, memory, after = _grown(reduced, size), _grown(memory, size), _grown(after, size)
                    closed = _grown(closed, size)
                    closed[used:] = np.inf
                node[used], parent[used], time[used] = b, i, begin + service[b]
                reduced[used] = rc + cost[a + 1, b + 1] * scale - gain[b]
                memory[used] = (mem & ng[b]) | (np.int64(1) << b)
                used += 1
        level_start, level_end = level_end, used
    return used, node[:used].copy(), parent[:used].copy(), closed[:used].copy()
