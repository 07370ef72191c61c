"""Planar geometry for territory design: lat/lon → local km plane, distances, Delaunay adjacency.

Equirectangular projection about a reference point (φ0, λ0):
    x = R · (λ − λ0) · cos φ0,   y = R · (φ − φ0)     (radians; R = 6371.0088 km)
Within a sales region (a few hundred km) it is within about 1 % of great-circle distance.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.spatial import Delaunay, QhullError

from ...travel import EARTH_RADIUS_KM

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def project_equirectangular(
    lat: npt.ArrayLike, lon: npt.ArrayLike, lat0: float | None = None, lon0: float | None = None
) -> FloatArray:
    """(n, 2) km coordinates of points given in degrees; reference = mean lat/lon unless given."""
    lat_r = np.radians(np.asarray(lat, dtype=float))
    lon_r = np.radians(np.asarray(lon, dtype=float))
    phi0 = float(np.mean(lat_r)) if lat0 is None else float(np.radians(lat0))
    lam0 = float(np.mean(lon_r)) if lon0 is None else float(np.radians(lon0))
    x = EARTH_RADIUS_KM * (lon_r - lam0) * np.cos(phi0)
    y = EARTH_RADIUS_KM * (lat_r - phi0)
    return np.column_stack([x, y])


def distance_matrix(a: npt.ArrayLike, b: npt.ArrayLike | None = None) -> FloatArray:
    """Euclidean distances between the rows of ``a`` (n, 2) and ``b`` (default ``a``)."""
    pa = np.asarray(a, dtype=float)
    pb = pa if b is None else np.asarray(b, dtype=float)
    dx = pa[:, 0][:, None] - pb[:, 0][None, :]
    dy = pa[:, 1][:, None] - pb[:, 1][None, :]
    return np.asarray(np.sqrt(dx * dx + dy * dy), dtype=float)


def _chain_edges(xy: FloatArray) -> IntArray:
    """Edges along the points sorted on their main axis (for collinear input)."""
    centred = xy - xy.mean(axis=0)
    axis = np.linalg.svd(centred, full_matrices=False)[2][0] if len(xy) > 1 else np.array([1.0, 0.0])
    order = np.argsort(centred @ axis, kind="stable")
    return np.column_stack([order[:-1], order[1:]]).astype(np.int64)


def delaunay_edges(xy: npt.ArrayLike) -> IntArray:
    """Undirected Delaunay-neighbour edges (E, 2), u < v, sorted; duplicates of a point join its vertex.

    Falls back to a chain along the main axis when the points are collinear (no triangulation exists).
    """
    pts = np.asarray(xy, dtype=float)
    n = len(pts)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    unique, first, inverse = np.unique(pts, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    pairs: set[tuple[int, int]] = set()
    if len(unique) >= 3:
        try:
            tri = Delaunay(unique)
            for a, b, c in tri.simplices:
                for u, v in ((a, b), (b, c), (a, c)):
                    pairs.add((int(min(u, v)), int(max(u, v))))
            for point, _, vertex in tri.coplanar:  # near-duplicates Qhull left out join their vertex
                pairs.add((int(min(point, vertex)), int(max(point, vertex))))
        except QhullError:
            pairs = {(int(u), int(v)) for u, v in _chain_edges(unique)}
    elif len(unique) == 2:
        pairs = {(0, 1)}
    # map unique vertices back to their first unit; every duplicate joins that unit
    out = {(int(min(first[u], first[v])), int(max(first[u], first[v]))) for u, v in pairs}
    for i in range(n):
        rep = int(first[inverse[i]])
        if rep != i:
            out.add((min(rep, i), max(rep, i)))
    return np.array(sorted(out), dtype=np.int64).reshape(-1, 2)
