"""A feasible flow of the bipartite conflict network (compiled), for the lens bound in ``bounds``.

Network: source → left unit l (capacity c_l), l → right unit r when they conflict (unbounded),
r → sink (capacity c_r). Any feasible flow is at most the minimum weight vertex cover of the conflict
graph (every conflicting pair has an end in the cover, and the cover's capacities carry all the flow), so
``bounds`` checks the flow returned here — it does not have to trust this code — and uses its value as a
lower bound on the weight any conflict-free set must leave out. Capacities are integers (the weights
scaled and rounded down), so the check is exact. Greedy saturation first, then shortest augmenting paths
(Edmonds & Karp 1972) until the flow reaches ``enough`` or no path is left (then it is a maximum flow).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def conflict_flow(
    conflict: np.ndarray, cap_left: np.ndarray, cap_right: np.ndarray, enough: int
) -> np.ndarray:
    """Flow on each conflicting (left, right) pair, (nl, nr) int64."""
    nl, nr = conflict.shape
    flow = np.zeros((nl, nr), dtype=np.int64)
    out_left = np.zeros(nl, dtype=np.int64)
    in_right = np.zeros(nr, dtype=np.int64)
    total = 0
    for a in range(nl):  # greedy: most of the flow, cheaply
        for b in range(nr):
            if conflict[a, b]:
                x = min(cap_left[a] - out_left[a], cap_right[b] - in_right[b])
                if x > 0:
                    flow[a, b] += x
                    out_left[a] += x
                    in_right[b] += x
                    total += x
    parent_right = np.empty(nr, dtype=np.int64)  # the left unit a right unit was reached from
    parent_left = np.empty(nl, dtype=np.int64)  # the right unit a left unit was reached from; -1: source
    queue = np.empty(nl + nr, dtype=np.int64)  # left units as 0..nl-1, right units as nl..nl+nr-1
    while total < enough:
        parent_right[:] = -2
        parent_left[:] = -2
        head, tail = 0, 0
        for a in range(nl):
            if cap_left[a] - out_left[a] > 0:
                parent_left[a] = -1
                queue[tail] = a
                tail += 1
        end = -1
        while head < tail and end < 0:
            node = queue[head]
            head += 1
            if node < nl:
                for b in range(nr):
                    if conflict[node, b] and parent_right[b] == -2:
                        parent_right[b] = node
                        if cap_right[b] - in_right[b] > 0:
                            end = b
                            break
                        queue[tail] = nl + b
                        tail += 1
            else:
                b = node - nl
                for a in range(nl):
                    if flow[a, b] > 0 and parent_left[a] == -2:
                        parent_left[a] = b
                        queue[tail] = a
                        tail += 1
        if end < 0:
            break  # no augmenting path: the flow is maximum
        bottleneck = cap_right[end] - in_right[end]
        b = end
        while True:
            a = parent_right[b]
            if parent_left[a] == -1:
                bottleneck = min(bottleneck, cap_left[a] - out_left[a])
                break
            b = parent_left[a]
            bottleneck = min(bottleneck, flow[a, b])
        b = end
        in_right[end] += bottleneck
        while True:
            a = parent_right[b]
            flow[a, b] += bottleneck
            if parent_left[a] == -1:
                out_left[a] += bottleneck
                break
            b = parent_left[a]
            flow[a, b] -= bottleneck
        total += bottleneck
    return flow
