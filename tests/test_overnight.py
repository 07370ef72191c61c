"""Overnight trips, the input side: the policy section, the overnight_places table, what PlanData carries,
and the warning of `salesplan validate` about accounts no day trip reaches."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from salesplan.scenarios.policy import OvernightPolicy, Policy


# ---------------------------------------------------------------------------------------------- policy
def test_overnight_is_off_with_field_practice_defaults() -> None:
    policy = Policy().travel.overnight
    assert policy == OvernightPolicy()
    assert policy.enabled is False
    assert policy.nights == ("mon", "tue", "wed", "thu")
    assert (policy.min_drive_minutes, policy.max_detour_minutes) == (120, 30)
    assert (policy.max_nights_per_week, policy.max_nights_in_a_row) == (3, 2)
    assert (policy.hotel_cost, policy.per_diem) == (0, 0)


def test_overnight_reads_weekdays_as_planners_write_them() -> None:
    policy = OvernightPolicy.model_validate({"enabled": True, "nights": "周一;tue、Wednesday"})
    assert policy.nights == ("mon", "tue", "wed")


def test_overnight_nights_in_a_row_must_fit_the_week() -> None:
    with pytest.raises(
        ValidationError, match=r"max_nights_in_a_row \(3\) is above max_nights_per_week \(2\)"
    ):
        OvernightPolicy(max_nights_per_week=2, max_nights_in_a_row=3)
    assert OvernightPolicy(max_nights_per_week=0, max_nights_in_a_row=0).max_nights_in_a_row == 0


@pytest.mark.parametrize(
    "values",
    [
        {"max_nights_per_week": -1},
        {"max_nights_in_a_row": 1.5},
        {"hotel_cost": -1},
        {"per_diem": "lots"},
        {"min_drive_minutes": -10},
        {"max_detour_minutes": float("inf")},
        {"nights": ["mon", "funday"]},
        {"hotels": True},
    ],
)
def test_overnight_refuses_bad_values(values: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        OvernightPolicy.model_validate(values)


def test_overnight_keys_teach_in_the_schema() -> None:
    schema = Policy.model_json_schema()
    fields = schema["$defs"]["OvernightPolicy"]["properties"]
    assert set(fields) == {
        "enabled",
        "nights",
        "min_drive_minutes",
        "max_nights_per_week",
        "max_nights_in_a_row",
        "hotel_cost",
        "per_diem",
        "max_detour_minutes",
    }
    assert all(len(f.get("description", "")) > 30 for f in fields.values())
