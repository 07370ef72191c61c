"""Nights away on tours to far customers (出差), as plain values: :class:`OvernightRules` and the
:class:`OvernightPlace` where a night may be spent.

A rep whose next customers lie beyond ``min_drive_minutes`` one way from home may stay the night instead
of driving home, on the weekdays in ``nights`` (0 = Monday), at most ``max_nights_per_week`` nights a
calendar week and ``max_nights_in_a_row`` nights before coming home. The night is spent at an overnight
place within ``max_detour_minutes`` of the day's last customer, else at that customer's town, where the
next day starts. A night costs the place's hotel cost (the policy's ``hotel_cost`` where the place has
none, and at a customer's town) plus ``per_diem``.

Units: minutes; money in the scenario's currency per night.
"""

from __future__ import annotations

from dataclasses import dataclass

from .travel import Place


@dataclass(frozen=True)
class OvernightRules:
    """policy.travel.overnight when it is enabled (``PlanData.overnight`` is None when it is not)."""

    nights: tuple[int, ...]  # weekdays on whose evening a night away is allowed, 0 = Monday
    min_drive_minutes: float  # one way from home, beyond which a night away is allowed
    max_nights_per_week: int
    max_nights_in_a_row: int
    hotel_cost: float  # per night, where a place has no cost of its own
    per_diem: float  # per night away
    max_detour_minutes: float  # from the day's last customer to the place where the night is spent

    @property
    def possible(self) -> bool:
        """Whether any night away is allowed at all (some weekday, and at least one night a week)."""
        return bool(self.nights) and self.max_nights_per_week > 0 and self.max_nights_in_a_row > 0

    def allows_night(self, weekday: int) -> bool:
        """Whether a night away may follow a working day of this weekday (0 = Monday)."""
        return self.possible and weekday in self.nights

    def beyond_day_trips(self, one_way_minutes: float) -> bool:
        """Whether customers this far from home (one way) may be visited on a tour with nights away."""
        return one_way_minutes > self.min_drive_minutes

    def night_cost(self, place: OvernightPlace | None = None) -> float:
        """Cost of one night away: the place's hotel (the policy's at a customer's town) and the per diem."""
        return (self.hotel_cost if place is None else place.cost) + self.per_diem


@dataclass(frozen=True)
class OvernightPlace:
    """A town or hotel where a rep may spend the night; ``cost`` per night, the policy's hotel cost where
    the table leaves it empty."""

    id: str
    name: str
    lat: float
    lon: float
    cost: float

    @property
    def place(self) -> Place:
        return Place(self.id, self.lat, self.lon)
