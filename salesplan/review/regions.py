"""Cross-region selling (窜货) in the shipment records: a dealer's goods delivered into another region.

A shipment's ship-to region is its ``ship_to_region`` where given; else the region of the scenario account
nearest to its ship-to coordinates (great-circle distance, one KD-tree on unit-sphere points); a shipment
with neither is taken to stay in the dealer's region. A shipment of a dealer (``is_dealer``) in the window
[S, T] whose ship-to region differs from the dealer's region is cross-region; accounts that are not
dealers may receive goods anywhere.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from .problem import ReviewProblem


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def cross_region_shipments(problem: ReviewProblem) -> pd.DataFrame:
    """account, name, region, ship_to_region, date, quantity, amount, ship_to_lat, ship_to_lon, order."""
    data = problem.data
    accounts = data.accounts
    ship = problem.shipments
    ship = ship[pd.to_datetime(ship["date"]) >= pd.Timestamp(data.start)]
    dealers = accounts[accounts["is_dealer"].astype(bool)].set_index("account")
    ship = ship[ship["account"].isin(dealers.index)].reset_index(drop=True)
    columns = [
        "account",
        "name",
        "region",
        "ship_to_region",
        "date",
        "quantity",
        "amount",
        "ship_to_lat",
        "ship_to_lon",
        "order",
    ]
    if ship.empty:
        return pd.DataFrame(columns=columns)
    region = ship["account"].map(dealers["region"])
    target = ship["ship_to_region"].astype(object)
    lat = pd.to_numeric(ship["ship_to_lat"], errors="coerce").to_numpy()
    lon = pd.to_numeric(ship["ship_to_lon"], errors="coerce").to_numpy()
    locate = target.isna().to_numpy() & np.isfinite(lat) & np.isfinite(lon)
    if locate.any():
        tree = cKDTree(_unit(accounts["lat"].to_numpy(float), accounts["lon"].to_numpy(float)))
        _, nearest = tree.query(_unit(lat[locate], lon[locate]))
        target = target.copy()
        target[locate] = accounts["region"].to_numpy()[nearest]
    target = target.fillna(region)
    out = ship.assign(region=region, ship_to_region=target, name=ship["account"].map(dealers["name"]))
    out = out[out["ship_to_region"] != out["region"]]
    return out[columns].sort_values(["account", "date"], kind="stable").reset_index(drop=True)
