"""Table-driven tests of the target/actual parser on strings taken from the seeds and from real submissions."""

import datetime
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfeval_xl.values import (
    DATE,
    NIL_AMOUNTS,
    by_size,
    counted_from_year,
    decimals_of,
    folds_to_one_of,
    month_of_date,
    parse_amount,
    parse_quantity,
    parse_rate,
    parse_score,
    parse_signed_score,
    scale_to,
    written_like,
)

# raw, kind, comparator, value (base units), unit
CASES = [
    ("90%以上", "number", ">=", 0.90, "%"),
    ("95%（含）以上", "number", ">=", 0.95, "%"),  # 含 said in brackets: the bound is included
    # A sign typed as text (a text-formatted cell, WPS): 加减分 -2.5, 差异率 －1.37%, the minus sign U+2212.
    ("-2.5", "number", None, -2.5, None),
    ("－1.37%", "number", None, -0.0137, "%"),
    ("−3分", "number", None, -3, "分"),
    ("+2.5分", "number", None, 2.5, "分"),
    ("3次(含)以下", "number", "<=", 3.0, "次"),
    ("≥95%", "number", ">=", 0.95, "%"),
    ("＞＝９５％", "number", ">=", 0.95, "%"),
    ("不少于60人次", "number", ">=", 60, "人次"),
    ("7个", "number", None, 7, "个"),
    ("8个", "number", None, 8, "个"),
    ("49人", "number", None, 49, "人"),
    ("1411.9万元", "number", None, 14_119_000, "元"),
    ("1122.1万元", "number", None, 11_221_000, "元"),
    ("2023.73", "number", None, 2023.73, None),
    ("100%", "number", None, 1.0, "%"),
    ("96.5%", "number", None, 0.965, "%"),
    ("三个", "number", None, 3, "个"),
    ("两个", "number", None, 2, "个"),
    ("叁个", "number", None, 3, "个"),  # the financial numerals (大写) too, as 三 is read
    ("壹佰贰拾人", "number", None, 120, "人"),
    ("十余项", "number", ">=", 10, "项"),
    ("达标", "text", None, None, None),
    ("提升", "text", None, None, None),
    ("项目持续开展", "text", None, None, None),
    ("按时间节点完成各阶段任务", "text", None, None, None),
    ("有所提高", "text", None, None, None),
    ("科普小镇、专家工作站", "text", None, None, None),
    ("不少于35个", "number", ">=", 35, "个"),
    ("87.85亿元以上", "number", ">=", 8_785_000_000, "元"),
    ("约100场", "number", None, 100, "场"),
    ("20个以上", "number", ">=", 20, "个"),
    ("不少于1500万人次", "number", ">=", 15_000_000, "人次"),
    ("3.5万人次", "number", None, 35_000, "人次"),
    ("2万平方米", "number", None, 20_000, "平方米"),
    ("60余项", "number", ">=", 60, "项"),
    ("40多人", "number", ">=", 40, "人"),
    ("12个月以内", "number", "<=", 12, "个月"),
    ("≤12个月", "number", "<=", 12, "个月"),
    ("12月底前", "number", "<=", 12, "月"),  # a deadline (时效指标): by the end of December
    ("12月底", "number", "<=", 12, "月"),
    ("10月以前", "number", "<=", 10, "月"),
    ("12月底前完成", "number", "<=", 12, "月"),  # 完成 says nothing of the quantity
    ("2021年12月底前", "number", "<=", 12, "月"),  # a month of a stated year (see test_scoring: months_of_year)
    ("2021年11月完成", "number", None, 11, "月"),
    ("不晚于2021年12月", "number", "<=", 12, "月"),
    ("不迟于10月", "number", "<=", 10, "月"),
    ("≤2021年12月", "number", "<=", 12, "月"),
    # a month of a year written with a dot, a dash or a slash, as units date things: 2021-12前 was a range from 2021 to
    # 12, 2021/12前 was unread and 2021.12前 the number 2021.12 (before which 2021.9 came after it)
    ("2021.12前", "number", "<=", 12, "月"),
    ("2021-12前", "number", "<=", 12, "月"),
    ("2021/12月前", "number", "<=", 12, "月"),
    ("不晚于2021.6", "number", "<=", 6, "月"),
    ("2021-11", "number", None, 11, "月"),
    ("2021/9完成", "number", None, 9, "月"),
    ("2021.11", "number", None, 2021.11, None),  # alone, it may be a figure (against a month, it is one: month_of_date)
    ("2021-13", "number", ">=", 2021, None),  # no month: the range it says
    ("完成8个", "number", None, 8, "个"),
    ("100%完成", "number", None, 1.0, "%"),
    ("3个工作日之前", "number", "<=", 3, "个工作日"),
    ("不超过5%", "number", "<=", 0.05, "%"),
    ("控制在3%以内", "number", "<=", 0.03, "%"),
    # at most, at least and more than as targets also say them: 最多 2 起 is at most 2, not exactly 2 (a 反向 target)
    ("最多2起", "number", "<=", 2, "起"),
    ("最高5%", "number", "<=", 0.05, "%"),
    ("最少3次", "number", ">=", 3, "次"),
    ("最低90%", "number", ">=", 0.90, "%"),
    ("逾1万人次", "number", ">", 10_000, "人次"),
    ("超3万人", "number", ">", 30_000, "人"),
    ("超额完成", "text", None, None, None),
    ("逾期0次", "number", None, 0, "次"),  # 逾期 (overdue) is a label, not 逾 (over)
    ("最低工资标准1800元", "number", None, 1800, "元"),
    ("高于98%", "number", ">", 0.98, "%"),
    ("≥266米", "number", ">=", 266, "米"),
    ("90%及其以上", "number", ">=", 0.90, "%"),
    ("5%及其以下", "number", "<=", 0.05, "%"),
    ("90%及90%以上", "number", ">=", 0.90, "%"),  # the figure said twice (it was unparsed)
    ("5起及5起以下", "number", "<=", 5, "起"),
    ("195%及95%以上", "unparsed", None, None, None),  # two figures, not one said twice
    # signs as units type them: the pair reversed (=>, =<), the Japanese-style ≧ ≦, and the ≯ ≮ of Chinese standards
    # (不大于, 不小于); => was read as >, and ≯ as a name before the value, so ≯5% scored as at least 5%
    ("=>95%", "number", ">=", 0.95, "%"),
    ("=<5%", "number", "<=", 0.05, "%"),
    ("≧95%", "number", ">=", 0.95, "%"),
    ("≦5%", "number", "<=", 0.05, "%"),
    ("≯5%", "number", "<=", 0.05, "%"),
    ("≮95%", "number", ">=", 0.95, "%"),
    # a tolerance either way (预算执行偏差率±5%): at most 5 % off; see test_a_tolerance_either_way_is_read_as_its_size
    ("±5%", "number", "<=", 0.05, "%"),
    ("≤±5%", "number", "<=", 0.05, "%"),
    ("±5%以内", "number", "<=", 0.05, "%"),
    ("正负5%", "number", "<=", 0.05, "%"),
    ("+/-5%", "number", "<=", 0.05, "%"),
    # what is to be done within the time, said after it: 5个工作日内办结 is within 5 working days (it was unparsed)
    ("5个工作日内办结", "number", "<=", 5, "个工作日"),
    ("48小时以内响应", "number", "<=", 48, "小时"),
    ("10个工作日内答复", "number", "<=", 10, "个工作日"),
    ("12月底前报送", "number", "<=", 12, "月"),
    ("3个工作日办结", "number", None, 3, "个工作日"),
    # a length of time in Chinese numerals, or half of an hour or a day (三个工作日内 and 半小时内 were text)
    ("三个工作日内", "number", "<=", 3, "个工作日"),
    ("两个小时内", "number", "<=", 2, "个小时"),
    ("半小时内", "number", "<=", 0.5, "小时"),
    ("半个小时", "number", None, 0.5, "个小时"),
    ("半天", "number", None, 0.5, "天"),
    ("一个半小时", "number", None, 1.5, "小时"),  # an actual: the time it took, then what was done
    ("平均24小时响应", "number", None, 24, "小时"),
    ("10家市内企业", "number", None, 10, "家市内企业"),  # 内 of 市内 is no bound, 企业 nothing done
    ("9000人/年", "number", None, 9000, "人"),  # the form is a year's: a count per year is its count
    ("每月1期", "number", None, 12, "期"),
    ("每季度不少于1次", "number", ">=", 4, "次"),
    ("2次/月", "number", None, 24, "次"),
    ("每年增长5%", "number", None, 0.05, "%"),  # a share is no count: not multiplied
    # per week or day: a year holds no set number of them (holidays, working days), so the period stays in the unit
    ("每周不少于2篇", "number", ">=", 2, "篇/周"),
    ("每日1次", "number", None, 1, "次/日"),
    # the period said with a measure word, or every other month, or twice a month (they were 1次, or unparsed)
    ("每个月开展1次", "number", None, 12, "次"),
    ("每个季度不少于1次", "number", ">=", 4, "次"),
    ("每两个月1次", "number", None, 6, "次"),
    ("每2个月1期", "number", None, 6, "期"),
    ("每半月1期", "number", None, 24, "期"),
    ("每半个月报送1次", "number", None, 24, "次"),
    ("每个星期2篇", "number", None, 2, "篇/周"),
    # every three, four or six months, every other week, every half day (每三个月1次 was 1次, 每2周1次 unparsed)
    ("每三个月1次", "number", None, 4, "次"),
    ("每3个月开展1期", "number", None, 4, "期"),
    ("每四个月1次", "number", None, 3, "次"),
    ("每六个月不少于1次", "number", ">=", 2, "次"),
    ("每两周1次", "number", None, 0.5, "次/周"),
    ("每2周1期", "number", None, 0.5, "期/周"),
    ("每双周1次", "number", None, 0.5, "次/周"),
    ("每两个星期1篇", "number", None, 0.5, "篇/周"),
    ("每半天巡查1次", "number", None, 2, "次/日"),
    # a day of each month, a point in time: no count (每月10日前 was 120 days, met by an actual of 12日)
    ("每月10日前", "number", "<=", 10, "日"),
    ("每个月10日前", "number", "<=", 10, "日"),
    ("每月5日之前报送", "number", "<=", 5, "日"),
    ("每月10号前", "number", "<=", 10, "号"),
    ("每月下乡不少于5天", "number", ">=", 60, "天"),  # days counted: the year's
    ("1,350万元", "number", None, 13_500_000, "元"),
    ("853人次", "number", None, 853, "人次"),
    ("0.51%", "number", None, 0.0051, "%"),
    ("10-15件", "number", ">=", 10, "件"),
    # a range with its unit typed at both ends, as units write it: read as 90-95%
    ("90%-95%", "number", ">=", 0.90, "%"),
    ("90%～95%", "number", ">=", 0.90, "%"),
    ("90%至95%", "number", ">=", 0.90, "%"),
    ("5万元-10万元", "number", ">=", 50_000, "元"),
    ("90%-95人", "unparsed", None, None, None),  # two units: which one is meant is the unit's to say
    # the indicator's name typed before its value: the words before it say nothing of the quantity
    ("满意度≥90%", "number", ">=", 0.90, "%"),
    ("群众满意度达90%以上", "number", ">=", 0.90, "%"),
    ("服务对象满意度95.1%", "number", None, 0.951, "%"),
    # …unless they negate it, or hold a number themselves (a date is no label)
    ("满意度未达到90%", "number", "<", 0.90, "%"),
    ("不足90%", "number", "<", 0.90, "%"),
    ("未超过5%", "number", "<=", 0.05, "%"),
    ("非90%", "unparsed", None, None, None),
    ("Q3", "unparsed", None, None, None),  # a quarter, not 3
    # a narrative ending with a quantity is no name before a value
    ("开展科普一日游项目全年开展活动参与人数与上年相比群众满意度达到90%以上", "unparsed", None, None, None),
    # the name after a percentage, as units also write it: the words after it say nothing of the quantity…
    ("≥90%满意度", "number", ">=", 0.90, "%"),
    ("95%以上满意率", "number", ">=", 0.95, "%"),
    ("98%（含）以上合格率", "number", ">=", 0.98, "%"),
    ("5‰以下差错率", "number", "<=", 0.005, "%"),
    # 成 is a tenth (九成 is 90%), in digits or in Chinese numerals; a word that only begins with 成 is no share
    ("9成以上", "number", ">=", 0.90, "%"),
    ("九成以上", "number", ">=", 0.90, "%"),
    ("不低于8成", "number", ">=", 0.80, "%"),
    ("完成8成", "number", None, 0.80, "%"),
    ("9.5成", "number", None, 0.95, "%"),
    ("八成五以上", "number", ">=", 0.85, "%"),  # 八成五 is 8.5成, as it is said
    ("9成5", "number", None, 0.95, "%"),
    ("七成半", "number", None, 0.75, "%"),  # 半 is half a 成
    ("5成员单位", "number", None, 5, "成员单位"),
    ("八成五个", "text", None, None, None),  # a figure after 成 then a unit: no share
    ("一成不变", "text", None, None, None),
    # …unless they negate it or hold a figure of their own, or the figure is no percentage (8个专家 is a unit's word)
    ("≥90%不满意", "unparsed", None, None, None),
    ("90%满意度8个", "unparsed", None, None, None),
    # a sentence's end, or quotes, around the value
    ("8个。", "number", None, 8, "个"),
    ("≥95%；", "number", ">=", 0.95, "%"),
    ("2023.73万元，", "number", None, 20_237_300, "元"),
    ("“8个”", "number", None, 8, "个"),
    ("达标。", "text", None, None, None),
    (".5", "number", None, 0.5, None),  # not 5, with a label "."
    ("≥.95", "number", ">=", 0.95, None),
    (".5%", "number", None, 0.005, "%"),
    # a deadline named by its period: the end of the year, of a quarter, of the first half
    ("年底前", "number", "<=", 12, "月"),
    ("年底前完成", "number", "<=", 12, "月"),
    ("年末", "number", "<=", 12, "月"),
    ("年内完成", "number", "<=", 12, "月"),
    ("2021年底前", "number", "<=", 12, "月"),
    ("第三季度末前", "number", "<=", 9, "月"),
    ("三季度", "number", "<=", 9, "月"),
    ("上半年", "number", "<=", 6, "月"),
    ("3年内", "number", "<=", 3, "年"),  # a duration, not this year
    ("下半年", "text", None, None, None),  # a period, not a deadline
    ("年末余额100万元", "number", None, 1_000_000, "元"),  # a label that starts with a period
    # months and days in Chinese numerals, as official documents write dates
    ("十一月", "number", None, 11, "月"),
    ("二〇二一年十一月", "number", None, 11, "月"),
    ("2021年十一月完成", "number", None, 11, "月"),
    ("十二月三十一日前", "number", "<=", 366, "日期"),  # a day, counted in a leap year until the form's is known
    ("统一月度考核", "text", None, None, None),  # 一月 in a word is no month
    # a percentage written out, as official documents do
    ("百分之九十五", "number", None, 0.95, "%"),
    ("≥百分之九十", "number", ">=", 0.90, "%"),
    ("达到百分之九十以上", "number", ">=", 0.90, "%"),
    ("百分之百", "number", None, 1.0, "%"),
    ("百分之九十五点五", "number", None, 0.955, "%"),
    ("百分之95", "number", None, 0.95, "%"),
    ("叁仟万", "number", None, 30_000_000, None),  # its 万 said as 3000万's is, so scale_to leaves it
    ("千分之三", "number", None, 0.003, "%"),
    ("¥3,100", "number", None, 3100, None),  # one amount, not 3 and 100
    # an aside in brackets: what is included (含), or the same figure said another way
    ("≥90%（含）", "number", ">=", 0.90, "%"),
    ("不低于90%（含90%）", "number", ">=", 0.90, "%"),
    ("8个（100%）", "number", None, 8, "个"),
    ("2场（次）", "number", None, 2, "场"),  # 场次, which is 场 as units write it (it was 场次, PE104 against 3场)
    ("5000人（次）", "number", None, 5000, "人次"),
    ("100%（8个）", "number", None, 1.0, "%"),
    ("全部完成（100%）", "number", None, 1.0, "%"),  # the figure is in the brackets only
    ("8个（其中2个未验收）", "number", None, 8, "个"),
    # the whole, then a part of it said after a comma (其中, 含): the whole (they were a list of two figures)
    ("服务1200人次，其中线上800人次", "number", None, 1200, "人次"),
    ("发表论文2篇，其中核心期刊1篇", "number", None, 2, "篇"),
    ("12家；含新增3家", "number", None, 12, "家"),
    ("≥1000人次\n其中线上不少于500人次", "number", ">=", 1000, "人次"),
    # a figure and, beside it, a word that it was done (8个，已完成): the figure (they were unparsed, PE104)
    ("8个，已完成", "number", None, 8, "个"),
    ("已完成，共8个", "number", None, 8, "个"),
    ("96%，已完成", "number", None, 0.96, "%"),
    ("已完成，完成率100%", "number", None, 1.0, "%"),
    ("按时完成；2023年11月", "number", None, 11, "月"),
    ("已全部完成，科普小镇1个，专家工作站3个", "compound", None, None, None),
    ("已完成，未完成", "text", None, None, None),
    ("95.1%", "number", None, 0.951, "%"),
    ("科普小镇1个，专家工作站三个", "compound", None, None, None),
    ("科普小镇1个\n专家工作站三个", "compound", None, None, None),  # one per line (Alt+Enter)
    ("8个\n", "number", None, 8, "个"),
    ("\r\n96.5%", "number", None, 0.965, "%"),
    ("群众满意度\n≥90%", "number", ">=", 0.90, "%"),  # a name on its own line is still the value's label
    ("完成2020年16家建站工作站第一阶段评审", "unparsed", None, None, None),
    # an area as units type it: ㎡ and m² (folded to m2 by NFKC), 平米 are 平方米
    ("≥1800㎡", "number", ">=", 1800, "平方米"),
    ("1900m²", "number", None, 1900, "平方米"),
    ("1800平米", "number", None, 1800, "平方米"),
    ("2km²", "number", None, 2, "平方公里"),
    ("500m³", "number", None, 500, "立方米"),
    # a range with the dash a Chinese keyboard types (——, —) or an en dash
    ("20%—30%", "number", ">=", 0.20, "%"),
    ("20%——30%", "number", ">=", 0.20, "%"),
    ("10–15件", "number", ">=", 10, "件"),
    # at least, said with + (10000+) or with 余/多 after a multiplier (1万余人)
    ("10000+", "number", ">=", 10000, None),
    ("1000+人次", "number", ">=", 1000, "人次"),
    ("1万+人次", "number", ">=", 10000, "人次"),
    ("100人+", "number", ">=", 100, "人"),  # the + after the unit, as after a share
    ("95%+", "number", ">=", 0.95, "%"),
    ("1万人次+", "number", ">=", 10000, "人次"),
    ("1万余人", "number", ">=", 10000, "人"),
    ("3万多人次", "number", ">=", 30000, "人次"),
    # a month said as 月份 or its end as 月末 reads as 月 and 月底 do
    ("12月份", "number", None, 12, "月"),
    ("2021年11月份完成", "number", None, 11, "月"),
    ("12月末", "number", "<=", 12, "月"),
    ("2021年12月末前", "number", "<=", 12, "月"),
    # done, said as units say it after a deadline or a month (全部完成, 已完成): the unit was 月底前全部, 月已
    ("12月底前全部完成", "number", "<=", 12, "月"),
    ("11月已完成", "number", None, 11, "月"),
    ("2021年11月已完成", "number", None, 11, "月"),
    ("截止2021年底", "number", "<=", 12, "月"),  # a period's end after 截止/截至 (it was the number 2021 in 年)
    ("8人·次", "number", None, 8, "人次"),  # 人次 as it is also written
    ("1200人/次", "number", None, 1200, "人次"),
    # this year's end said with 本/当, the first half said 上半年内, next year's months (次年3月底前 is month 15 of the form's year)
    ("本年度内完成", "number", "<=", 12, "月"),
    ("当年年底前", "number", "<=", 12, "月"),
    ("上半年内", "number", "<=", 6, "月"),
    ("次年3月底前", "number", "<=", 15, "月"),
    ("次年年底前", "number", "<=", 24, "月"),
    # mid-year as a deadline (年中前完成 is 上半年's end); 年中考核 names a review, no period
    ("年中前完成", "number", "<=", 6, "月"),
    ("2021年中", "number", "<=", 6, "月"),
    ("年中考核", "text", None, None, None),
    ("", "empty", None, None, None),
    ("   ", "empty", None, None, None),
    (96.5, "number", None, 96.5, None),
    (7, "number", None, 7, None),
]


@pytest.mark.parametrize(("raw", "kind", "comparator", "value", "unit"), CASES)
def test_parse_quantity_table(raw, kind, comparator, value, unit):
    q = parse_quantity(raw)
    assert q.kind == kind
    assert q.comparator == comparator
    if value is None:
        assert q.value is None
    else:
        assert q.value == pytest.approx(value)
    assert q.unit == unit


def test_table_has_at_least_forty_real_strings():
    assert len([c for c in CASES if isinstance(c[0], str) and c[0].strip()]) >= 40


def test_compound_keeps_its_parts():
    q = parse_quantity("科普小镇1个，专家工作站三个")
    assert [(p.value, p.unit) for p in q.parts] == [(1, "个"), (3, "个")]


def test_range_keeps_upper_bound():
    assert parse_quantity("10-15件").upper == 15
    assert parse_quantity("20%——30%").upper == pytest.approx(0.30)
    assert parse_quantity("90%-95%").upper == pytest.approx(0.95)


def test_a_tolerance_either_way_is_read_as_its_size():
    """±5% allows 5 % off either way, so an actual against it counts by its size: -3% is 3 % off. A plain ≤5% keeps
    the sign, as 差异率 -3% is under it as typed."""
    tolerance = parse_quantity("±5%")
    assert tolerance.either_way and not parse_quantity("≤5%").either_way
    assert by_size(parse_quantity("-3%"), tolerance).value == pytest.approx(0.03)
    assert by_size(parse_quantity("-3%"), parse_quantity("≤5%")).value == pytest.approx(-0.03)
    assert by_size(parse_quantity("无"), tolerance).kind == "text"
    assert written_like(tolerance, 0.042) == "±4.2%"


def test_thousands_are_not_split_into_a_list():
    assert [p.value for p in parse_quantity("科普小镇1个,专家工作站3个").parts] == [1, 3]
    assert parse_quantity("1,500人次；2,000册").kind == "compound"
    assert [p.value for p in parse_quantity("1,500人次；2,000册").parts] == [1500, 2000]


def test_approximate_flags():
    assert parse_quantity("约100场").approximate
    assert parse_quantity("60余项").approximate
    assert parse_quantity("1万余人").approximate
    assert not parse_quantity("10000+").approximate  # at least that many: + says no more than ≥ does
    assert not parse_quantity("7个").approximate
    assert parse_quantity("将近100人").approximate and not parse_quantity("将近100人").labelled  # was labelled 将


@pytest.mark.parametrize(
    ("raw", "decimals"),
    [("96.5%", 3), ("114.44%", 4), ("1.24", 2), ("93", 0), ("1411.9万元", -3), ("0.51%", 4)],
)
def test_typed_precision_in_base_units(raw, decimals):
    assert parse_quantity(raw).decimals == decimals


def test_decimals_of_numbers():
    assert decimals_of(1.1444) == 4
    assert decimals_of(20) == 0
    assert decimals_of(2634.17) == 2
    assert decimals_of("1.240") == 3
    # Excel keeps 15 significant digits: a typed 98.62 % may be stored one binary step off.
    assert decimals_of(98.62 / 100) == 4
    assert decimals_of(0.98619999999999997) == 4
    assert decimals_of(0.1 + 0.2) == 1


@pytest.mark.parametrize(
    ("actual", "target", "value"),
    [
        (0.98, "≥95%", 0.98),  # 0.98 typed into a General cell is 98 %: read as 0.98 %, the target was unmet
        (1, "100%", 1.0),
        ("0.965", "90%以上", 0.965),
        (98, "≥95%", 0.98),  # 98 is 98 %, as before
        (0.5, "≤1%", 0.005),  # against 1 %, 0.5 is 0.5 % (50 % is the farther reading)
        (0, "≥95%", 0.0),
    ],
)
def test_a_bare_number_against_a_percentage_is_read_the_nearer_way(actual, target, value):
    """A number typed without % against a percentage target is that percentage (98 → 98 %) or, when the ratio
    reading lies nearer the target, a ratio (0.98 → 98 %): a unit typing 0.98 for 98 % had its target unmet."""
    scaled = scale_to(parse_quantity(actual), parse_quantity(target))
    assert (scaled.value, scaled.unit) == (pytest.approx(value), "%")


def test_actual_without_unit_takes_target_scale():
    target = parse_quantity("1411.9万元")
    actual = scale_to(parse_quantity("2023.73"), target)
    assert actual.value == pytest.approx(20_237_300)
    assert actual.unit == "元"


def test_actual_with_unit_is_not_rescaled():
    target = parse_quantity("1411.9万元")
    actual = parse_quantity("1500万元")
    assert scale_to(actual, target) is actual


@pytest.mark.parametrize(
    ("raw", "value", "decimals"),
    [
        ("990.69万元", 990.69, 2),
        (2634.17, 2634.17, 2),
        ("9906900元", 990.69, 4),
        # 万 or 亿 without 元 in a money cell is still money: 2634.17万 is 2634.17 万元, 1.2亿 is 12000 万元 (they
        # were read as 26,341,700 and 120,000,000 万元).
        ("2634.17万", 2634.17, 2),
        ("2,634.17 万", 2634.17, 2),
        ("1.2亿", 12_000, -3),
        # 千万 is one multiplier said in two (10⁷ 元): 3.1千万 is 3100 万元 (it was read as 31,000,000 万元)
        ("3.1千万", 3100, -2),
        ("2千万元", 2000, -3),
        # pasted from a web page or WeChat: a zero-width space, a byte-order mark, a left-to-right mark (invisible in
        # the cell, and the amount was text that is no number, a false PE102)
        ("2634.17\u200b", 2634.17, 2),
        ("\ufeff2634.17", 2634.17, 2),
        ("\u200e2634.17万元", 2634.17, 2),
        # the unit, or an aside, in brackets after the amount
        ("31000000（元）", 3100, 4),
        ("2634.17（万元）", 2634.17, 2),
        ("2634.17（含上年结转）", 2634.17, 2),
    ],
)
def test_amounts_in_wan_yuan(raw, value, decimals):
    q = parse_amount(raw)
    assert q.kind == "number"
    assert q.value == pytest.approx(value)
    assert q.decimals == decimals


@pytest.mark.parametrize("raw", ["无", " 无 ", "—", "－", "-", "/", "——"])
def test_nil_amounts_are_exactly_zero(raw):
    q = parse_amount(raw)
    assert (q.kind, q.value, q.tolerance) == ("number", 0.0, 0.0)


@pytest.mark.parametrize("raw", ["¥3,100", "￥3100.00", "人民币3100万元", "RMB 3,100"])
def test_amounts_with_a_currency_sign(raw):
    assert parse_amount(raw).value == pytest.approx(3100)


@pytest.mark.parametrize("raw", ["二千多", "约2000万元", "1000人", "无数", "调减100", "预算3100万元"])
def test_amounts_that_are_not_plain_amounts_are_unparsed(raw):
    assert parse_amount(raw).kind != "number"


@pytest.mark.parametrize(
    "raw",
    ["9" * 400, "9" * 400 + "万元", "1" + "0" * 305 + "亿", "1-" + "9" * 400 + "人"],
    ids=["400 digits", "400 digits 万元", "1e305 亿", "range to 400 digits"],
)
def test_numbers_beyond_float_range_are_unparsed(raw):
    """A number too long for a float would read as infinity and break the arithmetic of every check after it."""
    for parse in (parse_quantity, parse_amount, parse_rate, parse_score):
        assert parse(raw).kind == "unparsed"


def test_rates_and_scores():
    assert parse_rate("114.44%").value == pytest.approx(1.1444)
    assert parse_rate(1.1444).value == pytest.approx(1.1444)
    assert parse_rate("3个").kind == "unparsed"
    assert parse_score("93分").value == 93
    assert parse_score("十分").value == 10
    assert parse_score("≥9").kind == "unparsed"
    assert parse_score("得分9").kind == "unparsed"  # words before a score or a rate are no label to skip
    assert parse_rate("执行率96%").kind == "unparsed"


@pytest.mark.parametrize(("typed", "rate"), [(114.44, 1.1444), ("97.24", 0.9724), (1.1444, 1.1444), (5, 5.0)])
def test_a_rate_typed_without_its_percent_sign_is_the_percentage_meant(typed, rate):
    """114.44 in a 执行率 cell means 114.44 %: read as 11444 %, PE201 (强制) said it should be 114.44 %. A number up to
    10 stays a ratio (5 is 500 %, which PE201 shows the unit): above it, no rate of these forms is a ratio."""
    assert parse_rate(typed).value == pytest.approx(rate)


def test_cn2an_is_never_applied_to_surrounding_words():
    # cn2an.transform would turn 统一 into 统1; the parser must leave words alone.
    assert parse_quantity("统一标准").kind == "text"
    assert parse_quantity("一体化建设").kind == "text"


cell_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.text(alphabet="0123456789.%万元亿个以上≥≤约余多,、；-一二三十百", max_size=15),
)


@given(cell_values)
def test_parser_never_crashes(value):
    q = parse_quantity(value)
    assert q.kind in {"empty", "number", "text", "compound", "unparsed"}
    if q.kind == "number":
        assert q.value is not None and math.isfinite(q.value)
        assert q.upper is None or math.isfinite(q.upper)
    for parse in (parse_amount, parse_rate, parse_score):
        parse(value)


@pytest.mark.parametrize("typed", ["2万元/月", "每月2万元", "5分/年"])
def test_an_amount_or_a_score_said_per_period_is_no_figure_of_the_cell(typed):
    """A target's 每月1期 is 12 issues in the year; an amount or a score so written is not read as the year's (2万元/月
    was 24 万元 in a 预算数 cell)."""
    assert parse_amount(typed).kind == parse_score(typed).kind == "unparsed"


def test_amounts_follow_the_form_unit():
    assert parse_amount("990.69万元", "元").value == pytest.approx(9_906_900)
    assert parse_amount("1.2亿元", "万元").value == pytest.approx(12_000)
    assert parse_amount("1.2亿元", "万元").decimals == -3  # ±0.05 亿元 = ±500 万元
    assert parse_amount("990.69万", "元").value == pytest.approx(9_906_900)


@pytest.mark.parametrize("typed", ["3100万元整", "人民币叁仟壹佰万元整", "3100万元正", "叁仟壹佰万", "3100万元人民币"])
def test_an_amount_written_as_on_a_voucher_is_that_amount(typed):
    """整 (or 正) closes an amount written out as vouchers and contracts write it: it was “应为数字” (PE102, 强制), as
    was the currency after it; 叁仟壹佰万 was 31,000,000 万元, its 万 taken into the numeral."""
    assert (parse_amount(typed).kind, parse_amount(typed).value) == ("number", 3100)


@pytest.mark.parametrize(
    ("raw", "month"),
    [
        ("2021.11", 11),
        ("2021-11-30", 11),
        ("2021/11", 11),
        ("2021年11月20日", 11),
        ("2021.13", None),
        ("2634.17", None),
    ],
)
def test_a_date_where_a_month_is_asked_is_its_month(raw, month):
    quantity = month_of_date(parse_quantity(raw))
    assert (quantity.value, quantity.unit, quantity.year) == (
        (month, "月", 2021) if month else (quantity.value, None, None)
    )


@pytest.mark.parametrize(
    ("raw", "comparator", "day"),
    [
        ("6月30日前", "<=", (2021, 6, 30)),  # a deadline of the form's year
        ("6月30日之前完成", "<=", (2021, 6, 30)),
        ("不晚于6月30号", "<=", (2021, 6, 30)),
        ("2024年12月31日前", "<=", (2024, 12, 31)),  # a deadline of a stated year: the date, not a label and 31
        ("2021年11月20日", None, (2021, 11, 20)),
        ("2021-11-20", None, (2021, 11, 20)),  # as a date cell reads
        ("2021.11.20", None, (2021, 11, 20)),
        ("2021/11/20", None, (2021, 11, 20)),
        ("12月31前", "<=", (2021, 12, 31)),  # 日 left out
        ("二〇二一年六月三十日前", "<=", (2021, 6, 30)),
        ("2月30日", None, None),  # no such day
        ("6.30", None, None),  # a number, not 30 June
        ("次年1月15日前", None, None),  # next year's day: it read as 15 January of the form's year (a false “late”)
        ("12.31前", "<=", (2021, 12, 31)),  # a deadline: 前 makes a day of month.day
        ("12.31之前完成", "<=", (2021, 12, 31)),
        ("12.31前全部完成", "<=", (2021, 12, 31)),
        ("13.5前", None, None),  # no such month: a number
        ("12/31前", "<=", (2021, 12, 31)),  # with a slash or a dash as with a dot (12/31前 was unread, 6-30前 a range)
        ("6-30之前完成", "<=", (2021, 6, 30)),
        ("12月上旬前", "<=", (2021, 12, 10)),  # a ten-day period (旬) ends on the 10th, the 20th, the month's end
        ("11月中旬", None, (2021, 11, 20)),
        ("2021年11月下旬", None, (2021, 11, 30)),
        ("2月下旬", None, (2021, 2, 28)),
    ],
)
def test_a_calendar_day_is_a_date_counted_from_the_forms_year(raw, comparator, day):
    """6月30日前 and 2024年12月31日前 (时效指标) could not be read: PE104, and the self-score was kept."""
    quantity = counted_from_year(parse_quantity(raw), 2021)
    if day is None:
        assert quantity.unit != DATE
        return
    expected = (datetime.date(*day) - datetime.date(2021, 1, 1)).days + 1
    assert (quantity.kind, quantity.comparator, quantity.unit, quantity.value) == ("number", comparator, DATE, expected)


def test_a_calendar_day_where_a_month_is_asked_is_its_month():
    quantity = month_of_date(parse_quantity("12月20日"))
    assert (quantity.value, quantity.unit, quantity.year) == (12, "月", None)


def test_memoised_parser_keeps_bool_int_and_float_apart():
    assert parse_quantity(1).kind == "number"
    assert parse_quantity(True).kind == "unparsed"
    assert parse_quantity(1.0).kind == "number"


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("加2.5分", 2.5),
        ("扣2.5分", -2.5),
        ("减2.5", -2.5),
        ("扣分2.5", -2.5),
        ("-2.5", -2.5),
        (2.5, 2.5),
        ("不加分", 0),
        ("不扣分", 0),
        ("无", 0),
        ("加减2.5分", None),
    ],
)
def test_a_bonus_or_penalty_is_read_as_units_write_it(typed, value):
    """加减分 rows: 加2.5分 and 扣2.5分 were PE102 (强制), 不加分 too; outside these rows 扣1分 stays unread (is it the
    score or what was taken off it?)."""
    quantity = parse_signed_score(typed)
    assert quantity.value == value if value is not None else quantity.kind != "number"
    assert parse_score("扣1分").kind == "unparsed"


@pytest.mark.parametrize("text", ["/", " / ", "／", "\u200b—\u200b", "\u3000－\u3000", "- -"])
def test_a_placeholder_folds_to_one_whatever_surrounds_it(text):
    assert folds_to_one_of(text, NIL_AMOUNTS)


@pytest.mark.parametrize("text", ["/ 未统计", "——以下空白——", "", "暂无数据，待下年度统计后补报" + " " * 40 + "/"])
def test_a_text_saying_more_is_no_placeholder(text):
    assert not folds_to_one_of(text, NIL_AMOUNTS)


def test_a_name_after_a_percentage_labels_it_as_one_before_it_does():
    assert parse_quantity("≥90%满意度").labelled and parse_quantity("满意度≥90%").labelled
    assert parse_rate("96.5%执行率").kind == "unparsed"  # a rate cell holds the rate alone
    assert parse_quantity("90%左右满意度").approximate  # 左右 is said of the figure, not of the name
