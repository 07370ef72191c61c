"""Headers as planners write them: a table's own headers mapped to salesplan's columns.

Two sources, the scenario's first: ``columns:`` of a table in scenario.yaml (``{file: 客户.csv, columns:
{客户编号: id, 年销售额: current_sales}}``), then the built-in Chinese aliases of the standard columns
below (名称 → name, 区域 → region, 纬度 → lat, ...). A header that is already a salesplan column is kept.
Problems name a column as the file writes it.
"""

from __future__ import annotations

from collections.abc import Mapping

from .errors import Problem
from .reader import RawTable
from .tables import TABLE_MODELS

_COMMON = {
    "编号": "id",
    "代码": "id",
    "名称": "name",
    "姓名": "name",
    "名字": "name",
    "区域": "region",
    "大区": "region",
    "片区": "region",
    "地区": "region",
}

ALIASES: dict[str, dict[str, str]] = {
    "regions": {"区域编号": "id", "区域名称": "name", "编号": "id", "代码": "id", "名称": "name"},
    "reps": {
        **_COMMON,
        "代表编号": "id",
        "员工编号": "id",
        "工号": "id",
        "纬度": "home_lat",
        "经度": "home_lon",
        "每周工时": "hours_per_week",
        "周工时": "hours_per_week",
        "每月工时": "hours_per_month",
        "月工时": "hours_per_month",
        "销售时间占比": "selling_share",
        "入职日期": "start_date",
        "开始日期": "start_date",
        "离职日期": "end_date",
        "结束日期": "end_date",
        "每小时成本": "cost_per_hour",
    },
    "accounts": {
        **_COMMON,
        "客户编号": "id",
        "客户名称": "name",
        "经销商名称": "name",
        "纬度": "lat",
        "经度": "lon",
        "销售额": "current_sales",
        "年销售额": "current_sales",
        "当前销售额": "current_sales",
        "潜力": "potential",
        "销售潜力": "potential",
        "毛利率": "margin",
        "等级": "tier",
        "客户等级": "tier",
        "细分": "segment",
        "客户细分": "segment",
        "拜访时长": "visit_minutes",
        "当前代表": "current_rep",
        "客户经理": "current_rep",
        "锁定代表": "locked_rep",
        "月拜访次数": "current_visits_per_month",
        "拜访日": "visit_days",
        "开门时间": "open_time",
        "关门时间": "close_time",
        "休息日期": "closed_dates",
        "经销商": "is_dealer",
        "是否经销商": "is_dealer",
        "地址": "address",
        "合作意愿": "cooperation",
        "经营能力": "capability",
        "信用": "credit",
        "关系": "relationship",
        "增长率": "growth_rate",
    },
    "opportunities": {
        "编号": "id",
        "机会编号": "id",
        "客户": "account",
        "客户编号": "account",
        "类型": "type",
        "机会类型": "type",
        "金额": "size",
        "规模": "size",
        "概率": "probability",
        "成功率": "probability",
        "工时": "effort_hours",
        "所需工时": "effort_hours",
        "截止日期": "due_date",
        "毛利率": "margin",
        "必须跟进": "must_pursue",
        "排除": "exclude",
        "描述": "description",
        "说明": "description",
    },
    "travel_matrix": {"起点": "from_id", "终点": "to_id", "分钟": "minutes", "时间": "minutes"},
    "absences": {
        "代表": "rep",
        "代表编号": "rep",
        "开始": "start",
        "开始日期": "start",
        "结束": "end",
        "结束日期": "end",
        "原因": "reason",
    },
    "adjacency": {},
    "overnight_places": {
        "编号": "place_id",
        "地点编号": "place_id",
        "酒店编号": "place_id",
        "名称": "name",
        "酒店": "name",
        "酒店名称": "name",
        "纬度": "lat",
        "经度": "lon",
        "房费": "cost",
        "每晚费用": "cost",
    },
}


def rename_columns(
    table_name: str,
    table: RawTable,
    mapping: Mapping[str, str],
    where: tuple[str, int, str],
) -> list[Problem]:
    """Rename a table's headers to salesplan's columns (the scenario's ``columns:`` first, then the
    aliases); ``where`` is the YAML file, line and key of the table, for problems of the mapping."""
    fields = TABLE_MODELS[table_name].model_fields
    problems: list[Problem] = []
    wanted = {_key(header): column for header, column in mapping.items()}
    for header, column in mapping.items():
        if column not in fields:
            problems.append(
                Problem(
                    where[0],
                    where[1],
                    f"{where[2]}.columns.{header}",
                    f"'{column}' is not a column of the {table_name} table",
                    f"map the header to one of {', '.join(fields)}",
                )
            )
        elif _key(header) not in table.columns:
            problems.append(
                Problem(
                    where[0],
                    where[1],
                    f"{where[2]}.columns.{header}",
                    f"header '{header}' is not in {table.file}",
                    f"check the spelling (headers: {', '.join(table.header(c) for c in table.columns)})",
                    "warning",
                )
            )
    aliases = ALIASES.get(table_name, {})
    renamed: dict[str, str] = {}
    for column in table.columns:
        target = wanted.get(column) or (None if column in fields else aliases.get(column))
        if target is not None and target in fields:
            renamed[column] = target
    targets = list(renamed.values())
    # a header that already is the column another one is mapped to
    targets += [t for t in set(targets) if t in table.columns and t not in renamed]
    for target in sorted({t for t in targets if targets.count(t) > 1}):
        headers = [c for c, t in renamed.items() if t == target] + (
            [target] if target in table.columns else []
        )
        problems.append(
            Problem(
                table.file,
                1,
                target,
                f"headers {', '.join(repr(h) for h in dict.fromkeys(headers))} all mean column '{target}'",
                "keep one of them, or map the others to other columns in scenario.yaml (columns:)",
            )
        )
    if not renamed or any(p.severity == "error" for p in problems):
        return problems
    table.columns = [renamed.get(c, c) for c in table.columns]
    table.headers.update({target: table.header(column) for column, target in renamed.items()})
    table.rows = [{renamed.get(k, k): v for k, v in row.items()} for row in table.rows]
    return problems


def _key(header: str) -> str:
    """A header as the reader keeps it (stripped, lower case)."""
    return str(header).strip().lstrip("\ufeff").lower()
