"""Regenerate the bundled example scenarios, deterministically (same bytes on every run).

    python scenarios/examples/generate.py

Geography is real (city districts, county towns, industrial parks) with customers clustered around
them; values are heavy-tailed so that a few accounts carry most of the value, as in practice.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾")
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "强",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "霞",
    "平",
    "刚",
    "鹏",
    "华",
    "丽",
    "斌",
    "辉",
    "宇",
    "浩",
    "凯",
    "婷",
    "晨",
    "欣",
    "雪",
]


def person_names(rng: np.random.Generator, n: int) -> list[str]:
    names: list[str] = []
    while len(names) < n:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN, size=rng.integers(1, 3)))
        if name not in names:
            names.append(str(name))
    return names


def cluster_points(
    rng: np.random.Generator, centres: Sequence[tuple[str, float, float, float]], n: int, spread_km: float
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """n points around weighted centres (name, lat, lon, weight); spread in km (normal)."""
    weights = np.array([c[3] for c in centres], dtype=float)
    pick = rng.choice(len(centres), size=n, p=weights / weights.sum())
    lat = np.array([centres[k][1] for k in pick]) + rng.normal(0, spread_km / 111.0, n)
    lon = np.array([centres[k][2] for k in pick]) + rng.normal(0, spread_km / 111.0, n) / np.cos(
        np.radians(np.array([centres[k][1] for k in pick]))
    )
    return np.round(lat, 5), np.round(lon, 5), [centres[k][0] for k in pick]


def write_csv(frame: pd.DataFrame, path: Path, encoding: str = "utf-8") -> None:
    text = frame.to_csv(index=False, lineterminator="\n")
    path.write_bytes(text.encode(encoding))


def write_xlsx(frame: pd.DataFrame, path: Path, sheet: str) -> None:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"created": dt.datetime(2026, 1, 1), "author": "salesplan examples"})
    bold = book.add_format({"bold": True})
    ws = book.add_worksheet(sheet)
    for c, name in enumerate(frame.columns):
        ws.write(0, c, name, bold)
        for r, value in enumerate(frame[name].tolist(), start=1):
            if value is None or (isinstance(value, float) and np.isnan(value)):
                continue
            ws.write(r, c, value)
    ws.freeze_panes(1, 0)
    book.close()
    path.write_bytes(buffer.getvalue())


def heavy_tail_sales(
    rng: np.random.Generator, n: int, top: int, top_share: float, scale: float
) -> np.ndarray:
    """Sales where the `top` largest of n accounts hold about `top_share` of the total."""
    head = np.sort(rng.pareto(1.2, top) + 1)[::-1]
    tail = rng.lognormal(0, 0.6, n - top)
    head = head / head.sum() * top_share
    tail = tail / tail.sum() * (1 - top_share)
    values = np.concatenate([head, tail]) * scale
    rng.shuffle(values)
    return np.round(values, -3)


# --------------------------------------------------------------------------------------------- bank
def bank_key_accounts() -> None:
    rng = np.random.default_rng(20260101)
    folder = HERE / "bank-key-accounts"
    folder.mkdir(exist_ok=True)
    districts = [
        ("陆家嘴", 31.2397, 121.4998, 5),
        ("人民广场", 31.2304, 121.4737, 3),
        ("静安寺", 31.2237, 121.4458, 3),
        ("徐家汇", 31.1950, 121.4370, 2),
        ("虹桥", 31.1940, 121.3270, 2),
        ("张江", 31.2040, 121.5900, 2),
        ("五角场", 31.3000, 121.5130, 1),
        ("闵行", 31.1120, 121.3810, 1),
    ]
    n = 45
    lat, lon, area = cluster_points(rng, districts, n, spread_km=1.5)
    kinds = ["集团", "控股", "实业", "科技", "贸易", "物流", "地产", "能源", "医药", "制造"]
    prefixes = [
        "浦发",
        "申华",
        "东方",
        "长江",
        "华东",
        "金桥",
        "外高桥",
        "新虹",
        "海通",
        "宝申",
        "沪光",
        "百联",
        "申通",
        "锦江",
        "光明",
        "上实",
        "绿地",
        "复星",
        "联华",
        "强生",
        "大众",
        "城投",
        "隧道",
        "久事",
        "振华",
        "国盛",
        "临港",
        "张江",
        "漕河泾",
        "虹口",
        "杨浦",
        "普陀",
        "长宁",
        "嘉定",
        "松江",
        "青浦",
        "奉贤",
        "金山",
        "崇明",
        "宝山",
        "南汇",
        "川沙",
        "周浦",
        "七宝",
        "莘庄",
    ]
    names = [f"上海{prefixes[i]}{kinds[i % len(kinds)]}有限公司" for i in range(n)]
    # Annual profit pool with the bank (fees + net interest), CNY: the ten largest carry ~70 %.
    sales = heavy_tail_sales(rng, n, top=10, top_share=0.72, scale=1.8e9)
    potential = np.round(sales * rng.uniform(1.1, 1.6, n), -3)
    reps = pd.DataFrame(
        {
            "id": [f"AM{i:02d}" for i in range(1, 21)],
            "name": person_names(rng, 20),
            "region": "SH",
            "home_lat": 31.2304,
            "home_lon": 121.4737,  # the branch office at People's Square
            "hours_per_month": 160,
            "selling_share": 0.45,
            "cost_per_hour": 600,
        }
    )
    # The current plan spreads the team's time evenly: every account gets the same number of visits.
    current_rep = [reps.id[i % 20] for i in rng.permutation(n)]
    accounts = pd.DataFrame(
        {
            "id": [f"KA{i:03d}" for i in range(1, n + 1)],
            "name": names,
            "region": "SH",
            "lat": lat,
            "lon": lon,
            "current_sales": sales,
            "potential": potential,
            "margin": np.round(rng.uniform(0.35, 0.55, n), 2),
            "segment": ["corporate" if s < np.quantile(sales, 0.6) else "strategic" for s in sales],
            "visit_minutes": 180,
            "current_rep": current_rep,
            "current_visits_per_month": 6,
            "visit_days": None,
            "open_time": "09:00",
            "close_time": "17:00",
            "address": [f"上海市{a}" for a in area],
        }
    )
    # Account managers gave their own judgment for the strategic accounts they know best.
    judged = accounts.index[accounts.segment == "strategic"][:6]
    accounts.loc[judged, "response_at_zero"] = 0.55
    accounts.loc[judged, "response_at_half"] = 0.8
    accounts.loc[judged, "response_at_150"] = 1.12
    accounts.loc[judged, "response_at_saturation"] = 1.3
    opp_rows = []
    types = ["cross_sell", "upsell", "price_mix", "cross_sell", "prune"]
    products = {
        "cross_sell": ["现金管理", "外汇套保", "供应链金融", "高管财富管理"],
        "upsell": ["授信额度提升", "结算量提升"],
        "price_mix": ["贷款重新定价", "费率结构优化"],
        "prune": ["低效账户清理"],
    }
    for i in range(60):
        account = accounts.iloc[int(rng.integers(n))]
        kind = types[i % len(types)]
        size = float(np.round(account.current_sales * rng.uniform(0.03, 0.25), -3))
        opp_rows.append(
            {
                "id": f"OP{i + 1:03d}",
                "account": account.id,
                "type": kind,
                "size": size,
                "probability": round(float(rng.beta(2, 2.5)), 2),
                "effort_hours": int(rng.integers(6, 40)),
                "due_date": str(dt.date(2026, 1, 5) + dt.timedelta(days=int(rng.integers(20, 90)))),
                "description": str(rng.choice(products[kind])),
            }
        )
    write_csv(reps, folder / "reps.csv")
    write_xlsx(accounts, folder / "accounts.xlsx", "KeyAccounts")
    write_csv(pd.DataFrame(opp_rows), folder / "opportunities.csv")


# --------------------------------------------------------------------------------------------- dealers
DEALER_REGIONS = {
    "SD": (
        "山东",
        [
            ("济南", 36.651, 117.120, 4),
            ("潍坊", 36.707, 119.161, 3),
            ("临沂", 35.105, 118.356, 4),
            ("济宁", 35.415, 116.587, 3),
            ("菏泽", 35.233, 115.481, 3),
            ("聊城", 36.457, 115.985, 2),
            ("德州", 37.435, 116.359, 2),
        ],
    ),
    "HA": (
        "河南",
        [
            ("郑州", 34.746, 113.625, 4),
            ("周口", 33.626, 114.697, 3),
            ("驻马店", 32.980, 114.022, 3),
            ("南阳", 32.991, 112.528, 3),
            ("商丘", 34.414, 115.656, 2),
            ("新乡", 35.303, 113.927, 2),
        ],
    ),
    "HE": (
        "河北",
        [
            ("石家庄", 38.042, 114.514, 4),
            ("保定", 38.874, 115.464, 3),
            ("邢台", 37.070, 114.505, 2),
            ("邯郸", 36.625, 114.539, 3),
            ("衡水", 37.739, 115.671, 2),
        ],
    ),
    "JS": (
        "江苏",
        [
            ("徐州", 34.205, 117.284, 3),
            ("宿迁", 33.963, 118.275, 2),
            ("盐城", 33.348, 120.163, 3),
            ("淮安", 33.610, 119.015, 2),
        ],
    ),
}


DEALER_KINDS = ["饲料经销部", "农资商行", "畜牧服务站", "饲料有限公司"]

# Where the reps stay on a tour (出差) to the dealer clusters beyond a day trip from their homes: the
# Weifang, Heze and Jining clusters of Shandong, Zhumadian and Zhoukou in Henan, Handan in Hebei (Jiangsu's
# reps reach every dealer in a day). Cost per night in CNY; empty: the policy's hotel_cost.
DEALER_OVERNIGHT_PLACES = [
    ("H01", "潍坊奎文商务酒店", 36.707, 119.132, 280),
    ("H02", "昌邑迎宾馆", 36.859, 119.397, None),
    ("H03", "菏泽牡丹宾馆", 35.252, 115.441, 240),
    ("H04", "济宁任城商务酒店", 35.415, 116.587, None),
    ("H05", "汝南天中宾馆", 33.007, 114.362, 180),
    ("H06", "商水商务宾馆", 33.543, 114.611, 160),
    ("H07", "邯郸丛台宾馆", 36.625, 114.493, None),
    ("H08", "武安迎宾馆", 36.697, 114.204, 220),
    ("H09", "磁县商务酒店", 36.374, 114.374, None),
]


def dealer_figures(rng: np.random.Generator, sales: float, top: float, rep: str | None) -> dict[str, object]:
    """A dealer's figures after its id, name and place: sales (``top``: the region's largest), margin,
    visits, current rep, and the four ratings the score tiers weigh. A prospect (``rep`` None) buys
    nothing yet and gets no visits. Also used by benchmarks/_generate.py (the generated dealer networks)."""
    return {
        "current_sales": 0.0 if rep is None else float(sales),
        "potential": float(np.round(sales * rng.uniform(1.0, 2.0), -3)),
        "margin": round(float(rng.uniform(0.08, 0.16)), 3),
        "visit_minutes": int(rng.choice([60, 75, 90])),
        "current_rep": rep,
        "current_visits_per_month": 0 if rep is None else int(rng.choice([1, 2, 2, 3])),
        "is_dealer": "true",
        "cooperation": int(rng.integers(40, 100)),
        "capability": int(np.clip(40 + 60 * sales / top + rng.normal(0, 10), 0, 100)),
        "credit": int(rng.integers(30, 100)),
        "relationship": int(rng.integers(30, 100)),
        "growth_rate": round(float(rng.normal(0.06, 0.08)), 3),
    }


def dealer_network() -> None:
    rng = np.random.default_rng(20260102)
    folder = HERE / "dealer-network"
    folder.mkdir(exist_ok=True)
    regions = pd.DataFrame(
        {"id": list(DEALER_REGIONS), "name": [v[0] + "大区" for v in DEALER_REGIONS.values()]}
    )
    reps_per_region = {"SD": 4, "HA": 3, "HE": 3, "JS": 2}
    dealers_per_region = {"SD": 100, "HA": 80, "HE": 70, "JS": 50}
    rep_rows: list[dict[str, object]] = []
    account_rows: list[dict[str, object]] = []
    rep_names = person_names(rng, 12)
    for region, (province, towns) in DEALER_REGIONS.items():
        k = reps_per_region[region]
        town_pick = rng.choice(len(towns), size=k, replace=False)
        region_reps = []
        for j in range(k):
            town = towns[town_pick[j]]
            rid = f"R{len(rep_rows) + 1:02d}"
            region_reps.append((rid, town[1], town[2]))
            rep_rows.append(
                {
                    "id": rid,
                    "name": rep_names[len(rep_rows)],
                    "region": region,
                    "home_lat": round(town[1] + rng.normal(0, 0.02), 5),
                    "home_lon": round(town[2] + rng.normal(0, 0.02), 5),
                    "hours_per_week": 44,
                    "selling_share": 0.5,
                    "cost_per_hour": 120,
                }
            )
        n = dealers_per_region[region]
        lat, lon, town_names = cluster_points(rng, towns, n, spread_km=18)
        sales = heavy_tail_sales(rng, n, top=max(3, n // 10), top_share=0.45, scale=n * 1.2e6)
        # The previous alignment grew by history: the senior rep (first) holds far more than a fair share.
        share = np.array([2.2] + [1.0] * (k - 1))
        owner = rng.choice(k, size=n, p=share / share.sum())
        for i in range(n):
            index = len(account_rows) + 1
            is_prospect = i >= n - 4
            kind = rng.choice(DEALER_KINDS)
            account_rows.append(
                {
                    "id": f"D{index:04d}",
                    "name": f"{town_names[i]}{['东', '西', '南', '北', '新', '兴', '丰', '裕'][i % 8]}{kind}",
                    "region": region,
                    "lat": lat[i],
                    "lon": lon[i],
                    **dealer_figures(
                        rng, sales[i], sales.max(), None if is_prospect else region_reps[owner[i]][0]
                    ),
                }
            )
    accounts = pd.DataFrame(account_rows)
    # Two dealers are under contract with a named rep: they stay put.
    accounts.loc[[5, 130], "locked_rep"] = accounts.loc[[5, 130], "current_rep"]
    # History left three dealers with a rep of the neighbouring region (cross-region selling): fix them.
    for i, rep in ((40, "R05"), (120, "R01"), (260, "R08")):
        accounts.loc[i, "current_rep"] = rep
    opp_rows = []
    types = ["upsell", "cross_sell", "price_mix", "new_customer", "prune"]
    what = {
        "upsell": "提升月销量",
        "cross_sell": "推广预混料",
        "price_mix": "高端料占比提升",
        "new_customer": "新经销商开发",
        "prune": "清理长期欠款小户",
    }
    for i in range(220):
        kind = types[i % 5]
        if kind == "new_customer":
            row = (
                accounts[accounts.current_sales == 0]
                .sample(1, random_state=int(rng.integers(1 << 30)))
                .iloc[0]
            )
            size = float(np.round(row.potential * rng.uniform(0.2, 0.5), -3))
        else:
            row = accounts.iloc[int(rng.integers(len(accounts)))]
            size = float(np.round(max(row.current_sales, 1e5) * rng.uniform(0.05, 0.4), -3))
        opp_rows.append(
            {
                "id": f"OP{i + 1:04d}",
                "account": row.id,
                "type": kind,
                "size": size,
                "probability": round(float(rng.beta(2.2, 2.0)), 2),
                "effort_hours": int(rng.integers(4, 30)),
                "description": what[kind],
            }
        )
    write_csv(regions, folder / "regions.csv", "gb18030")
    write_csv(pd.DataFrame(rep_rows), folder / "reps.csv", "gb18030")
    write_csv(accounts, folder / "dealers.csv", "gb18030")
    write_csv(pd.DataFrame(opp_rows), folder / "opportunities.csv", "gb18030")
    places = pd.DataFrame(
        DEALER_OVERNIGHT_PLACES, columns=["place_id", "name", "lat", "lon", "cost"], dtype=object
    )
    write_csv(places, folder / "overnight_places.csv", "gb18030")


# ------------------------------------------------------------------------------------------ electronics
ELECTRONICS_REGIONS = {
    "SZ": [
        ("南山科技园", 22.540, 113.934, 5),
        ("宝安", 22.555, 113.883, 4),
        ("龙华", 22.691, 114.044, 4),
        ("龙岗", 22.721, 114.247, 3),
        ("惠州仲恺", 23.028, 114.305, 2),
    ],
    "DG": [
        ("长安", 22.816, 113.805, 3),
        ("松山湖", 22.915, 113.888, 3),
        ("塘厦", 22.791, 114.108, 2),
        ("东莞南城", 23.019, 113.752, 2),
    ],
    "GZ": [
        ("广州黄埔", 23.106, 113.459, 4),
        ("番禺", 22.938, 113.384, 3),
        ("佛山顺德", 22.805, 113.293, 3),
        ("佛山南海", 23.029, 113.143, 2),
    ],
    "ZS": [("中山火炬", 22.540, 113.470, 2), ("珠海香洲", 22.271, 113.577, 2), ("江门", 22.579, 113.081, 1)],
}
SEGMENTS = {  # share of accounts, margin range, visit minutes
    "tech-complex": (0.15, (0.30, 0.42), 90),
    "service": (0.30, (0.20, 0.28), 60),
    "general": (0.55, (0.10, 0.16), 45),
}


def electronics_distributor() -> None:
    rng = np.random.default_rng(20260103)
    folder = HERE / "electronics-distributor"
    folder.mkdir(exist_ok=True)
    reps_per_region = {"SZ": 7, "DG": 5, "GZ": 5, "ZS": 3}
    accounts_per_region = {"SZ": 700, "DG": 500, "GZ": 500, "ZS": 300}
    rep_names = person_names(rng, 20)
    rep_rows: list[dict[str, object]] = []
    account_rows: list[dict[str, object]] = []
    segment_names = list(SEGMENTS)
    segment_p = np.array([SEGMENTS[s][0] for s in segment_names])
    for region, parks in ELECTRONICS_REGIONS.items():
        k = reps_per_region[region]
        homes = [parks[j % len(parks)] for j in range(k)]
        region_rep_ids = []
        for j in range(k):
            rid = f"E{len(rep_rows) + 1:02d}"
            region_rep_ids.append(rid)
            rep_rows.append(
                {
                    "id": rid,
                    "name": rep_names[len(rep_rows)],
                    "region": region,
                    "home_lat": round(homes[j][1] + rng.normal(0, 0.03), 5),
                    "home_lon": round(homes[j][2] + rng.normal(0, 0.03), 5),
                    "hours_per_week": 40,
                    "selling_share": 0.5,
                    "cost_per_hour": 150,
                }
            )
        n = accounts_per_region[region]
        lat, lon, park = cluster_points(rng, parks, n, spread_km=4)
        segment = rng.choice(segment_names, size=n, p=segment_p)
        sales = heavy_tail_sales(rng, n, top=n // 5, top_share=0.75, scale=n * 2.5e6)
        # Previous alignment: nearest rep home, which leaves the reps unevenly loaded.
        home = np.array([[r["home_lat"], r["home_lon"]] for r in rep_rows[-k:]])
        nearest = np.argmin(
            (lat[:, None] - home[None, :, 0]) ** 2 + (lon[:, None] - home[None, :, 1]) ** 2, axis=1
        )
        for i in range(n):
            seg = str(segment[i])
            low, high = SEGMENTS[seg][1]
            index = len(account_rows) + 1
            closed = ""
            if rng.random() < 0.05:
                closed = str(dt.date(2027, 3, 1) + dt.timedelta(days=int(rng.integers(0, 20))))
            account_rows.append(
                {
                    "id": f"C{index:05d}",
                    "name": f"{park[i]}{['精密', '电子', '智能', '光电', '微电', '通讯', '新能源', '自动化'][i % 8]}"
                    f"{['科技', '实业', '制造', '电器'][int(rng.integers(4))]}{index}号厂",
                    "region": region,
                    "lat": lat[i],
                    "lon": lon[i],
                    "current_sales": float(sales[i]),
                    "potential": float(np.round(sales[i] * rng.uniform(1.05, 1.9), -3)),
                    "margin": round(float(rng.uniform(low, high)), 3),
                    "segment": seg,
                    "visit_minutes": SEGMENTS[seg][2],
                    "current_rep": region_rep_ids[int(nearest[i])],
                    "current_visits_per_month": int(rng.choice([0, 1, 1, 2])),
                    "visit_days": "mon;tue;wed;thu" if rng.random() < 0.1 else None,
                    "open_time": "09:00" if seg != "general" else "08:30",
                    "close_time": "17:00",
                    "closed_dates": closed or None,
                    "growth_rate": round(float(rng.normal(0.1 if seg == "tech-complex" else 0.04, 0.06)), 3),
                }
            )
    accounts = pd.DataFrame(account_rows)
    types = ["upsell", "cross_sell", "price_mix", "new_customer", "prune"]
    what = {
        "upsell": "扩大现有料号用量",
        "cross_sell": "导入新产品线(MCU/电源)",
        "price_mix": "高毛利定制料号替代",
        "new_customer": "开发同园区新客户",
        "prune": "停止低毛利散单",
    }
    opp_rows = []
    for i in range(900):
        kind = types[int(rng.integers(5))]
        row = accounts.iloc[int(rng.integers(len(accounts)))]
        size = float(np.round(row.current_sales * rng.uniform(0.05, 0.5), -3))
        opp_rows.append(
            {
                "id": f"OP{i + 1:05d}",
                "account": row.id,
                "type": kind,
                "size": size,
                "probability": round(float(rng.beta(2, 2.2)), 2),
                "effort_hours": int(rng.integers(2, 24)),
                "due_date": str(dt.date(2027, 1, 4) + dt.timedelta(days=int(rng.integers(14, 90)))),
                "description": what[kind],
            }
        )
    absences = pd.DataFrame(
        [
            {"rep": "E03", "start": "2027-03-15", "end": "2027-03-19", "reason": "产品培训"},
            {"rep": "E11", "start": "2027-02-22", "end": "2027-02-26", "reason": "年假"},
        ]
    )
    write_csv(pd.DataFrame(rep_rows), folder / "reps.csv")
    write_csv(accounts, folder / "accounts.csv")
    write_csv(pd.DataFrame(opp_rows), folder / "opportunities.csv")
    write_csv(absences, folder / "absences.csv")


if __name__ == "__main__":
    bank_key_accounts()
    dealer_network()
    electronics_distributor()
    print("examples written to", HERE)
    # each example's plan/ and one quarter of actuals/ around it (generate_actuals.py)
    sys.path.insert(0, str(HERE))
    from generate_actuals import main as plans_and_actuals

    plans_and_actuals([])
