"""Travel times between places: great-circle distance × detour factor ÷ speed, or a given matrix.

Model: minutes(a, b) = 60 · detour · haversine_km(a, b) / speed_kmh, unless the scenario's travel matrix
gives minutes for the pair (the matrix wins where it has a value; it is read as directed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_KM = 6371.0088

FloatArray = npt.NDArray[np.float64]


def great_circle_km(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> FloatArray:
    """Haversine distance in km; arguments in degrees, broadcast like numpy."""
    phi1, lam1, phi2, lam2 = (np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2))
    a = np.sin((phi2 - phi1) / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass(frozen=True)
class Place:
    """A point travel is measured between: an account, or a rep's home (id as in the scenario)."""

    id: str
    lat: float
    lon: float


@dataclass(frozen=True)
class TravelModel:
    """Road travel estimate.

    detour_factor: road km per great-circle km (≥ 1). speed_kmh: average door-to-door speed.
    matrix_minutes: optional directed overrides {(from_id, to_id): minutes}.
    """

    detour_factor: float = 1.3
    speed_kmh: float = 30.0
    matrix_minutes: Mapping[tuple[str, str], float] = field(default_factory=dict)

    def road_km(self, a: Sequence[Place], b: Sequence[Place]) -> FloatArray:
        """Road km from every place in ``a`` to every place in ``b`` (len(a) × len(b))."""
        lat_a = np.array([p.lat for p in a], dtype=float)[:, None]
        lon_a = np.array([p.lon for p in a], dtype=float)[:, None]
        lat_b = np.array([p.lat for p in b], dtype=float)[None, :]
        lon_b = np.array([p.lon for p in b], dtype=float)[None, :]
        return self.detour_factor * great_circle_km(lat_a, lon_a, lat_b, lon_b)

    def minutes(self, a: Sequence[Place], b: Sequence[Place] | None = None) -> FloatArray:
        """Travel minutes from every place in ``a`` to every place in ``b`` (default: ``a`` itself)."""
        b = a if b is None else b
        result = self.road_km(a, b) * (60.0 / self.speed_kmh)
        if self.matrix_minutes:
            index_b = {p.id: j for j, p in enumerate(b)}
            for i, p in enumerate(a):
                for j_id, j in index_b.items():
                    value = self.matrix_minutes.get((p.id, j_id))
                    if value is not None:
                        result[i, j] = value
        return result

    def minutes_from_coords(
        self, lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
    ) -> FloatArray:
        """Model minutes (no matrix overrides) between coordinates, broadcast like numpy."""
        return self.detour_factor * great_circle_km(lat1, lon1, lat2, lon2) * (60.0 / self.speed_kmh)
