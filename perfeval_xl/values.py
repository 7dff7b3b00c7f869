"""Parsing of free-text target and actual values: comparator, number, unit, scale, typed precision."""

from __future__ import annotations

import calendar
import datetime
import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal

from .grid import INVISIBLE, arabic_years

Kind = Literal["empty", "number", "text", "compound", "unparsed"]

# Comparators typed before the number. Longest first so that 大于等于 wins over 大于.
_PREFIX_COMPARATORS: list[tuple[str, str]] = sorted(
    [
        (">=", ">="),
        ("=>", ">="),  # the pair typed the other way round
        ("≥", ">="),
        ("≧", ">="),
        ("≮", ">="),  # not less than, as Chinese standards write 不小于
        ("大于等于", ">="),
        ("大于或等于", ">="),
        ("不少于", ">="),
        ("不低于", ">="),
        ("不小于", ">="),
        ("至少", ">="),
        ("最少", ">="),
        ("最低", ">="),
        ("达到", ">="),
        ("达", ">="),
        (">", ">"),
        ("大于", ">"),
        ("高于", ">"),
        ("超过", ">"),
        ("多于", ">"),
        ("逾", ">"),  # 逾1万人次; 逾期 is no number, and stays a label
        ("超", ">"),  # 超3万人, after 超过 (longest first)
        ("<=", "<="),
        ("=<", "<="),
        ("≤", "<="),
        ("≦", "<="),
        ("≯", "<="),  # not more than: 不大于
        ("小于等于", "<="),
        ("小于或等于", "<="),
        ("不超过", "<="),
        ("不高于", "<="),
        ("不多于", "<="),
        ("不大于", "<="),
        ("控制在", "<="),
        ("最多", "<="),
        ("最高", "<="),
        ("<", "<"),
        ("小于", "<"),
        ("低于", "<"),
        ("少于", "<"),
        ("不足", "<"),
        ("不到", "<"),
        ("未达到", "<"),
        ("未达", "<"),
        ("未超过", "<="),
        ("不晚于", "<="),
        ("不迟于", "<="),
        ("=", "="),
        ("等于", "="),
    ],
    key=lambda pair: -len(pair[0]),
)
_SUFFIX_COMPARATORS: list[tuple[str, str]] = [  # longest first: 及以上 before 以上
    ("及其以上", ">="),
    ("及其以下", "<="),
    ("(含)以上", ">="),  # 95%（含）以上, folded to ASCII brackets
    ("(含)以下", "<="),
    ("(含)以内", "<="),
    ("及以上", ">="),
    ("以上", ">="),
    ("及以下", "<="),
    ("以下", "<="),
    ("及以内", "<="),
    ("以内", "<="),
    ("之内", "<="),
    ("内", "<="),
    ("底前", "<="),  # a deadline: 12月底前, 12月底, 10月以前 (a 时效指标, met by finishing earlier)
    ("以前", "<="),
    ("之前", "<="),
    ("前", "<="),
    ("底", "<="),
    ("+", ">="),  # at least, with the + after the unit: 95%+, 100人+ (10000+ and 1000+人次 are read by _SINGLE)
]
# Words around a quantity that say it was done, not how much: 完成8个, 12月底前完成.
_DONE = ("已全部完成", "全部完成", "已完成", "完成")  # longest first: 12月底前全部完成, 11月已完成
# A tolerance either way, before its figure (预算执行偏差率±5%, 正负5%): at most that far off, in either direction.
_EITHER_WAY = ("±", "+/-", "+-", "正负")
_MINUS = ("-", "\u2212")  # the hyphen-minus (a full-width － folds to it) and the minus sign
_APPROX_PREFIXES = ("约", "大约", "将近", "接近", "近")
_APPROX_SUFFIXES = ("左右",)
# 余/多 after a number ("十余项", "40多人") mean "a little more than".
_MORE_THAN = ("余", "多")

# Units with a scale to a base unit: money to 元, shares to a ratio.
_SCALED_UNITS: dict[str, tuple[str, float]] = {
    "元": ("元", 1.0),
    "万元": ("元", 1e4),
    "亿元": ("元", 1e8),
    "%": ("%", 0.01),
    "‰": ("%", 0.001),
    "成": ("%", 0.1),  # a tenth: 九成以上 is 90%以上 (成员单位, a word that only begins with 成, is no share)
}
# Measure words (量词) that may follow a Chinese numeral: without one, 一 in 一体化 is not a number.
_MEASURE_WORDS = frozenset(
    "个 人 人次 次 场 项 篇 家 名 期 门 件 天 日 周 月 个月 年 小时 户 所 本 份 条 批 台 套 座 处 亩 吨 册 部 "
    "课时 学时 栋 间 辆 只 位 支 组 类 种 轮 届 分 元 万元 亿元 万人次 万人 成 个工作日 工作日 个小时 分钟".split()
)
_MULTIPLIERS = {"万": 1e4, "亿": 1e8, "千": 1e3, "百万": 1e6}
_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"  # with the financial numerals (大写)
_UNIT_TEXT = r"%|‰|[A-Za-z\u4e00-\u9fff²㎡/]{1,5}"
_UNIT = rf"(?P<unit>{_UNIT_TEXT})?"
# Pieces of a list (科普小镇1个，专家工作站三个): a comma between a digit and three digits groups thousands (1,500人次).
_SEPARATORS = re.compile(r"(?:[;、；]|(?<!\d),|,(?!\d{3}(?!\d)))+")
# A piece of a list saying only that it was done (8个，已完成; 已按时完成，2023年11月), beside the figure that says how much.
_SAID_DONE = re.compile(r"(?:已|均已|已经)?(?:按时|按期|如期|圆满|顺利|全部|全面)?(?:完成|达标|落实)")
# What starts a piece of a list that is a part of the piece before it (其中线上800人次, 含新增3家).
_PART_OF = re.compile(r"其中|含|包括|包含")
# A month of a stated year (2021年11月, a 时效 indicator's deadline or completion).
_YEAR_MONTH = re.compile(r"((?:19|20)\d{2})年(\d{1,2}月)")
# A month of a year dated with a dash, a slash or a dot (2021-12, 2021/12月, 2021.12前), as units date things. With a
# dot alone it may be a figure (2021.12 万元): a month then only as a deadline (2021.12前, 不晚于2021.12), or against one
# (``month_of_date``).
_DATED_MONTH = re.compile(r"((?:19|20)\d{2})([.\-/])(\d{1,2})(月?)")
# A calendar day, its year stated or not (6月30日, 2021年6月30号), or a date as written with separators (2021-06-30,
# as a date cell reads; 2021.6.30; 2021/6/30).
_CALENDAR_DAY = re.compile(
    r"(?:(?:(?P<year>(?:19|20)\d{2})年)?(?P<month>\d{1,2})月(?P<day>\d{1,2})[日号]?)"
    r"|(?:(?P<y>(?:19|20)\d{2})(?P<sep>[.\-/])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2}))"
)
# What may end a value typed as a sentence (8个。 ≥95%；), folded by NFKC, and the quotes around one (“8个”).
_SENTENCE_END = "。.;,!"
_QUOTES = "\"“”‘’'"
_NEXT_YEAR = ("次年", "下一年", "下年", "明年")  # the year after the form's, as a deadline names it
_LEAD = r"(?P<lead>截至|截止|到)?"  # what may precede a deadline: 截止2021年底
_DONE_AFTER = r"(?:已?全部完成|已?完成)?$"  # what may end one after 前: 全部完成, 已完成 (see ``_DONE``)
_DEADLINE_END = rf"(?:之前|以前|前)?{_DONE_AFTER}"
# A deadline named by its period, the whole value but for 前 and 完成 (a duration such as 3年内 is no period, nor is
# the label of 年末余额100万元): the end of the year (年底, 2021年末, 本年度内 or 年内 for within this year, 次年年底
# for the next), of a quarter (第三季度末), of the first half (上半年, or 年中: mid-year).
_PERIOD_END = re.compile(
    rf"^{_LEAD}(?P<next>{'|'.join(_NEXT_YEAR)})?(?:本年|当年|本|当)?(?:(?P<year>(?:19|20)\d{{2}})年?)?"
    r"(?:(?P<end>年度?[底末])|(?P<within>年度?内)|(?P<half>上半年内?|年中)|第?(?P<quarter>[一二三四1-4])季度末?)"
    rf"(?={_DEADLINE_END})"
)
# A month of the year after the form's (次年3月底前, as 决算 and 公开 deadlines are set): counted on from its December.
_NEXT_YEAR_MONTH = re.compile(rf"^{_LEAD}(?:{'|'.join(_NEXT_YEAR)})(?P<month>\d{{1,2}})月(?!\d)")
_QUARTERS = {"一": 3, "二": 6, "三": 9, "四": 12, "1": 3, "2": 6, "3": 9, "4": 12}
# A month or a day written in Chinese numerals (二〇二一年十一月, 十二月三十一日), as official documents date things.
_CHINESE_DATE = re.compile(
    r"(?:([〇零一二三四五六七八九]{4}|\d{4})年)?([一二三四五六七八九十]{1,3}|\d{1,2})月(?:([一二三四五六七八九十]{1,3}|\d{1,2})[日号])?"
)
# A percentage written out (百分之九十五, 千分之三), as official documents write it: the figure then its sign.
_WRITTEN_OUT = re.compile(r"([百千])分之(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百点]+)")
# The unit of a calendar day: its value is the day's number counted from 1 January (see ``counted_from_year``).
DATE = "日期"
TIME_UNITS = frozenset({"月", DATE})  # a month or a day of a year: a point in time, never a quantity to add up
_LEAP_YEAR = 2000  # a day without its year is counted in a leap year until the form's year is known: 2月29日 exists
# A value followed by an aside in brackets (≥90%（含）, 8个（100%）, 全部完成（100%）), brackets folded to ASCII.
_ASIDE = re.compile(r"(.*?)\(([^()]*)\)")
# Words before a value that may not be skipped as its label: they negate it (未, 不, 非…).
_NEGATIONS = frozenset("未不没无非")
# The longest label skipped before a whole value: an indicator's name (社会公众或服务对象满意度), not a narrative.
_MAX_LABEL = 20
# What may stand before an amount typed as text: its currency (¥3,100.00, 人民币3100万元).
_CURRENCY = ("¥", "人民币", "RMB", "CNY")  # the sign first: a name may also follow the amount


# What a cell shows when its formula fails: both readers give this text, never a blank.
EXCEL_ERRORS = frozenset(
    "#NULL! #DIV/0! #VALUE! #REF! #NAME? #NUM! #N/A #GETTING_DATA #SPILL! #CALC! #FIELD! #BLOCKED! #CONNECT! "
    "#BUSY! #UNKNOWN! #PYTHON!".split()
)


@dataclass(frozen=True)
class Quantity:
    """A parsed cell value.

    ``value`` is in base units: 元 for money, a ratio for percentages (``96.5%`` → 0.965), the typed unit
    otherwise. ``decimals`` is the number of decimals typed, in the base unit, so that a tolerance of
    ½·10⁻ᵈ can be derived from it. ``upper`` holds the upper end of a range such as ``10-15件``.
    """

    raw: str
    kind: Kind
    comparator: str | None = None
    value: float | None = None
    unit: str | None = None
    typed_unit: str | None = None
    decimals: int | None = None
    approximate: bool = False
    upper: float | None = None
    parts: tuple[Quantity, ...] = field(default=())
    either_way: bool = False  # ±5%: at most 5 % off, whichever way (see ``by_size``)
    label: str = ""  # the words before it (科普小镇 of 科普小镇1个), by which a piece of a list finds its actual
    labelled: bool = False  # words stood before it (满意度≥90%): fine in a target, not in an amount, rate or score
    year: int | None = None  # the year a month or a day was stated in (2021年11月): see ``counted_from_year``
    day: tuple[int, int] | None = None  # (month, day) of a calendar day (6月30日前): its unit is DATE

    @property
    def tolerance(self) -> float:
        """Half a unit in the last typed decimal place (the interval the typed value stands for)."""
        if self.decimals is None:
            return 0.0
        return 0.5 * 10.0 ** (-self.decimals)

    @property
    def spread(self) -> float:
        """The rounding a typed amount may carry: its tolerance, none for a zero (0 in an amount cell is nothing, not a
        rounded 0.3)."""
        return 0.0 if self.value == 0 else self.tolerance


def normalize_text(text: str) -> str:
    """NFKC-fold full-width forms and drop all whitespace and invisible characters (units type ``９０％ 以上``)."""
    folded = unicodedata.normalize("NFKC", text.translate(INVISIBLE))
    return re.sub(r"\s+", "", folded)


def folds_to_one_of(text: str, words: frozenset[str]) -> bool:
    """Whether a text, folded (``normalize_text``), is one of a few short words (/, —, 无). Folding only drops
    whitespace and invisible characters, and a text longer than the longest word by more than a few is not folded:
    a required cell's text is asked this on every row of every file."""
    stripped = text.strip()
    return len(stripped) <= _longest(words) + 4 and normalize_text(stripped) in words


@lru_cache(maxsize=64)
def _longest(words: frozenset[str]) -> int:
    return max(map(len, words), default=0)


def decimals_of(number: float | int | str) -> int:
    """Decimals as typed: ``"1.240"`` → 3. A float is read at Excel's 15 significant digits, so a typed 98.62 %
    stored as 0.9862000000000001 (or 0.98619999999999997) still counts as four decimals."""
    text = number if isinstance(number, str) else f"{float(number):.15g}"
    text = text.replace(",", "")
    if "e" in text.lower():
        mantissa, exponent = text.lower().split("e")
        return max(0, decimals_of(mantissa) - int(exponent))
    if "." not in text:
        return 0
    fraction = text.split(".", 1)[1].rstrip("0") if not isinstance(number, str) else text.split(".", 1)[1]
    return len(fraction)


# The characters cn2an's "normal" mode reads (its normal_cn_number table, 点 and 负): any other text is not a
# Chinese numeral, and cn2an would only reject it.
_CHINESE_NUMERAL = re.compile("负?[零〇一壹幺二贰两三叁仨四肆五伍六陆七柒八捌九玖十拾百佰千仟万亿点]+")


def _number_from(text: str) -> tuple[float, int] | None:
    if re.fullmatch(r"\d+(?:,\d{3})*(?:\.\d+)?|\.\d+", text):  # .5 is 0.5
        return float(text.replace(",", "")), decimals_of(text)
    if not _CHINESE_NUMERAL.fullmatch(text):
        return None
    import cn2an  # here, not at the top: its import compiles regexes for ~0.3 s, needed only for such text

    try:
        # cn2an.cn2an converts only the numeral itself; it never rewrites surrounding words.
        return float(cn2an.cn2an(text, "normal")), 0
    except (ValueError, KeyError, TypeError):
        return None


def _scale_decimals(decimals: int, factor: float) -> int:
    """Decimals after scaling; negative means tens, hundreds… (1411.9万元 is known to ±500 元)."""
    return decimals - round(math.log10(factor)) if factor > 0 else decimals


def _split_unit(unit: str) -> tuple[str | None, str | None, float]:
    """Return (base unit, typed unit, factor) for a unit string, peeling a 万/亿 multiplier."""
    if not unit:
        return None, None, 1.0
    if unit in _SCALED_UNITS:
        base, factor = _SCALED_UNITS[unit]
        return base, unit, factor
    for prefix, factor in sorted(_MULTIPLIERS.items(), key=lambda kv: -len(kv[0])):
        if unit.startswith(prefix) and len(unit) > len(prefix):
            rest = unit[len(prefix) :]
            base, _, inner = _split_unit(rest)
            return base, unit, factor * inner
    if unit in _MULTIPLIERS:
        return None, unit, _MULTIPLIERS[unit]
    return unit, unit, 1.0


def _strip_affixes(text: str) -> tuple[str, str | None, bool]:
    comparator: str | None = None
    approximate = False
    for word in _DONE:
        if text.startswith(word) and len(text) > len(word):
            text = text[len(word) :]
        if text.endswith(word) and len(text) > len(word):
            text = text[: -len(word)]
    for word in _APPROX_PREFIXES:
        if text.startswith(word):
            text, approximate = text[len(word) :], True
            break
    for word, op in _PREFIX_COMPARATORS:
        if text.startswith(word) and len(text) > len(word):
            text, comparator = text[len(word) :], op
            break
    for word in _APPROX_SUFFIXES:
        if text.endswith(word):
            text, approximate = text[: -len(word)], True
            break
    for word, op in _SUFFIX_COMPARATORS:
        if text.endswith(word) and len(text) > len(word):
            text, comparator = text[: -len(word)], comparator or op
            break
    return text, comparator, approximate


_SINGLE = re.compile(
    r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?|\.\d+|[" + _CN_DIGITS + r"]+)"
    r"(?:(?P<multiplier>百万|[万亿千])(?=[余多+]))?(?P<more>[余多+])?"  # 100余人, 1万余人, 10000+: at least
    rf"(?:(?P<lower_unit>{_UNIT_TEXT})?(?:[-~～至到–]|—{{1,2}})(?P<upper>\d+(?:\.\d+)?))?" + _UNIT
)

# A share said in 成 and a tenth of one (八成五, 9成5, 七成半: 半 is half a 成), read as the decimal it says.
_TENTHS = re.compile("([1-9一二三四五六七八九])成([1-9一二三四五六七八九半])")
_TENTHS_DIGITS = str.maketrans("一二三四五六七八九半", "1234567895")


def _parse_single(raw: str, text: str) -> Quantity | None:
    body, comparator, approximate = _strip_affixes(text)
    if calendar := _CALENDAR_DAY.fullmatch(body):
        return _calendar_day(raw, calendar, comparator)
    if dated := _YEAR_MONTH.fullmatch(body):  # 2021年11月: month 11 of 2021
        single = _parse_single(raw, text.replace(dated[0], dated[2], 1))
        return replace(single, year=int(dated[1])) if single is not None else None
    dated = _DATED_MONTH.fullmatch(body)
    if dated and 1 <= int(dated[3]) <= 12 and (dated[2] != "." or dated[4] or comparator == "<="):
        single = _parse_single(raw, text.replace(dated[0], f"{int(dated[3])}月", 1))
        return replace(single, year=int(dated[1])) if single is not None else None
    either_way = next((word for word in _EITHER_WAY if body.startswith(word)), "")
    if either_way:  # ±5% is at most 5 % off, under or over
        body, comparator = body[len(either_way) :], comparator or "<="
    sign = -1.0 if body[:1] in _MINUS else 1.0
    if body[:1] in _MINUS or body[:1] == "+":  # a sign typed as text: 加减分 -2.5, 差异率 －1.37%
        body = body[1:]
    if tenths := _TENTHS.fullmatch(body):  # 八成五 and 9成5 are 8.5成, 七成半 7.5成, as they are said
        body = f"{tenths[1]}.{tenths[2]}成".translate(_TENTHS_DIGITS)
    match = _SINGLE.fullmatch(body)
    if not match or (match["lower_unit"] and match["lower_unit"] != match["unit"]):  # 90%-95% is 90-95%, not 95人
        return None
    parsed = _number_from(match["num"])
    if parsed is None:
        return None
    number, decimals = parsed
    unit_text = (match["multiplier"] or "") + (match["unit"] or "")
    if match["num"][0] in _CN_DIGITS and unit_text and unit_text not in _MEASURE_WORDS:
        return None
    if match["more"]:  # 100余人 is about a hundred or more; 10000+ is at least 10000
        comparator, approximate = comparator or ">=", approximate or match["more"] != "+"
    base, typed, factor = _split_unit(unit_text)
    decimals_base = _scale_decimals(decimals, factor)
    if not unit_text and match["num"][0] in _CN_DIGITS and match["num"][-1] in "万亿":
        # 叁仟壹佰万: the numeral took its 万 in, as 3100万 does not; the multiplier is said all the same
        typed = match["num"][-1]
        decimals_base = _scale_decimals(decimals, _MULTIPLIERS[typed])
    value = sign * number * factor
    upper = float(match["upper"]) * factor if match["upper"] else None
    if not math.isfinite(value) or (upper is not None and not math.isfinite(upper)):
        return None  # beyond a float's range: unparsed, not infinity
    return Quantity(
        raw=raw,
        kind="number",
        comparator=comparator if upper is None else ">=",
        value=value,
        unit=base,
        typed_unit=typed,
        decimals=decimals_base,
        approximate=approximate,
        upper=upper,
        either_way=bool(either_way),
    )


def _month_end(period: re.Match[str]) -> str:
    """年底 as 12月底, 2021年内 as 2021年12月底前, 第三季度末 as 9月底, 上半年 (年中) as 6月底, 次年年底 as 24月底: deadlines
    the months read, counted from the form's year."""
    month = 6 if period["half"] else _QUARTERS[period["quarter"]] if period["quarter"] else 12
    year = f"{period['year']}年" if period["year"] and not period["next"] else ""
    month += 12 if period["next"] else 0
    return f"{period['lead'] or ''}{year}{month}月底{'前' if period['within'] else ''}"


def _percent_sign(written: re.Match[str]) -> str:
    """百分之九十五 as 95%, 千分之三 as 3‰ (百分之百 is 100%); as it was when its figure is no number."""
    parsed = _number_from("一百" if written[2] == "百" else written[2])
    return f"{parsed[0]:.15g}{'%' if written[1] == '百' else '‰'}" if parsed else written[0]


def _calendar_day(raw: str, calendar: re.Match[str], comparator: str | None) -> Quantity | None:
    """A calendar day (6月30日前): its number in its year, or in a leap year when no year is stated; None for a day
    that does not exist (2月30日)."""
    year, month, day = (calendar[a] or calendar[b] for a, b in (("year", "y"), ("month", "m"), ("day", "d")))
    value = _day_number(int(year) if year else _LEAP_YEAR, int(month), int(day))
    if value is None:
        return None
    return Quantity(
        raw=raw,
        kind="number",
        comparator=comparator,
        value=value,
        unit=DATE,
        typed_unit=DATE,
        decimals=0,
        year=int(year) if year else None,
        day=(int(month), int(day)),
    )


def _day_number(year: int, month: int, day: int, base: int | None = None) -> float | None:
    """The number of a day counted from 1 January of ``base`` (of ``year`` itself by default): 1 January is 1, and 5
    January of the year after a common year is 370. None for a day that does not exist."""
    try:
        return float((datetime.date(year, month, day) - datetime.date(base or year, 1, 1)).days + 1)
    except ValueError:
        return None


@lru_cache(maxsize=8192, typed=True)
def parse_quantity(cell: object) -> Quantity:
    """Parse a target or actual value as typed into a cell (memoised: the engine and several checks parse the
    same cells, and Quantity is immutable; ``typed`` keeps True, 1 and 1.0 apart).

    Numbers in numeric cells are taken as they are; strings are parsed for a comparator, a number (arabic or
    Chinese numerals), a unit and a 万/亿 multiplier. Text without any number is qualitative (``kind="text"``);
    text with numbers that fits no pattern is ``"unparsed"`` so that a check can report it instead of guessing.
    """
    if cell is None or cell == "":
        return Quantity(raw="", kind="empty")
    if isinstance(cell, bool):
        return Quantity(raw=str(cell), kind="unparsed")
    if isinstance(cell, int | float):
        if math.isnan(cell) or math.isinf(cell):
            return Quantity(raw=str(cell), kind="unparsed")
        # raw as Excel shows a number in General format: 25, not the 25.0 a number cell reads as
        return Quantity(raw=f"{cell:.15g}", kind="number", value=float(cell), decimals=decimals_of(cell))
    raw = str(cell).strip()
    if raw in EXCEL_ERRORS:  # #DIV/0! has a digit, #N/A none: neither is a number nor a qualitative value
        return Quantity(raw=raw, kind="unparsed")
    text = _value_text(raw)
    quantity = _per_year(raw, text) or _parse_text(raw, text)
    if quantity.kind == "unparsed" and "\n" in raw:  # one piece a line (Alt+Enter): 科普小镇1个⏎专家工作站三个
        by_line = _parse_text(raw, _value_text(raw.replace("\n", ";")).strip(";"))
        return by_line if by_line.kind != "unparsed" else quantity
    return quantity


# A count asked or done per month, quarter or half-year (每月1期, 每个季度开展1次, 2次/月), or every two, three, four or six
# months or half a month (每两个月, 每三个月, 每半月), read as the count of the year the form is about (12 issues, 4
# times, 24 times, 6, 4, 24); per year (每年, 次/年) is the year's count itself. A year holds no set number of weeks or
# days to count (holidays, working days): 每周2篇 stays 2 of a unit 篇/周, as 2篇/周 is, 每两周1次 is 0.5 次/周 and
# 每半天1次 2 次/日. The period is looked up without its measure word 个.
_PER_PERIOD = re.compile(
    r"^每(?P<lead>[两二三四六2346半]?个?月|个?季度|季|半年|年度?|[两2双]?个?(?:周|星期)|半?[日天])(?=.)"
    r"|(?<=[^\d/])/(?P<tail>月|季度|季|半年|年度?)$"
)
# A day of each period by which a thing is done (每月10日前, 每月5号之前): a point in time, as a month is, never a count.
_DAY_OF_PERIOD = re.compile(r"\d\s*[日号](?:[之以]?前|止)")
_PERIODS = {"月": 12, "季度": 4, "季": 4, "年": 1, "年度": 1}
_PER_UNIT = {"周": "/周", "星期": "/周", "日": "/日", "天": "/日"}
# How many periods one is of (每两个月, 每双周, 每半天): the count per period is the count said over them.
_EVERY = {"两": 2, "二": 2, "双": 2, "2": 2, "三": 3, "3": 3, "四": 4, "4": 4, "六": 6, "6": 6, "半": 0.5}


def _per_year(raw: str, text: str) -> Quantity | None:
    """A whole value said per period (see ``_PER_PERIOD``) as the year's count, or per week or day as so much of a
    unit per week or day; None for any other value, and for a share (每年增长5%) or a point in time (每月10日前), which
    are no counts."""
    period = _PER_PERIOD.search(text)
    if period is None:
        return None
    rest = text[: period.start()] + text[period.end() :]
    if _DAY_OF_PERIOD.search(rest):
        return None
    count = _parse_text(raw, rest)
    if count.kind != "number" or count.unit == "%" or count.unit in TIME_UNITS:
        return None
    # labelled: words around the figure, fine in a target or an actual, not in an amount, a rate or a score
    said = (period["lead"] or period["tail"]).replace("个", "")
    every = _EVERY.get(said[0], 1) if len(said) > 1 and said[1:] in (*_PERIODS, *_PER_UNIT) else 1
    said = said[1:] if every != 1 else said
    per = _PER_UNIT.get(said)
    factor = (1 if per else _PERIODS[said]) / every
    value = (count.value or 0.0) * factor
    return replace(
        count,
        value=value,
        upper=count.upper * factor if count.upper is not None else None,
        decimals=max(count.decimals or 0, decimals_of(value)) if count.decimals is not None else None,
        unit=f"{count.unit or ''}{per}" if per else count.unit,
        typed_unit=f"{count.typed_unit or ''}{per}" if per else count.typed_unit,
        labelled=True,
    )


def _value_text(raw: str) -> str:
    """A value's text folded for parsing, without a sentence's end or quotes around it (8个。 “8个”), a percentage
    written out as its figure (百分之九十五 is 95%), units spelt the one way (㎡ as 平方米, 12月份 as 12月, see
    ``_SPELLINGS``), what is to be done after a time left out (5个工作日内办结 as 5个工作日内, see ``_DONE_BY``), a
    deadline written month.day (12.31前, 12/31前) or by its ten days (12月上旬) as the day it is."""
    text = normalize_text(raw).rstrip(_SENTENCE_END).strip(_QUOTES)
    if "分之" in text:
        text = _WRITTEN_OUT.sub(_percent_sign, text)
    if "年" in text or "季度" in text:
        text = _PERIOD_END.sub(_month_end, text, count=1)
        text = _NEXT_YEAR_MONTH.sub(lambda m: f"{m['lead'] or ''}{int(m['month']) + 12}月", text, count=1)
    if "及" in text:  # 90%及90%以上: the figure said twice
        text = _SAID_TWICE.sub(r"\1及\2", text, count=1)
    if "半" in text:
        text = _HALF.sub(_half, text, count=1)
    text = _spelt(text)
    text = _DONE_BY.sub("", text, count=1)
    if "前" in text:
        text = _DOTTED_DEADLINE.sub(_dotted_day, text, count=1)
    if "旬" in text:
        text = _TEN_DAYS.sub(_ten_days_end, text, count=1)
    return _in_digits(text) if "月" in text else text


# Units typed more than one way, after a figure, as the one way the parser compares: an area or a volume's sign (㎡
# and m² fold to m2 under NFKC, which no unit may hold), 平米 as people say it; 12月份 as 12月, 12月末 as 12月底; 人次
# as it is also written (人·次, 人/次).
_SPELLINGS = {
    "m2": "平方米",
    "km2": "平方公里",
    "m3": "立方米",
    "平米": "平方米",
    "月份": "月",
    "月末": "月底",
    "人·次": "人次",
    "人/次": "人次",
    "场次": "场",
}
_SPELLING = re.compile(
    r"(?<=[\d万千])(?:" + "|".join(re.escape(s) + (r"(?!\d)" if s[-1].isdigit() else "") for s in _SPELLINGS) + ")"
)  # m2 not followed by a digit: m23 is no area


def _spelt(text: str) -> str:
    """Units typed more than one way after a figure, spelt the one way (see ``_SPELLINGS``)."""
    return _SPELLING.sub(lambda m: _SPELLINGS[m[0]], text)


# What is to be done within a time or by a deadline, said after it (5个工作日内办结, 12月底前报送), or was done in a time
# (3个工作日办结, 24小时响应): the time is the value.
_DONE_BY = re.compile(
    r"(?<=[内前日时天])(?:办结|办理完毕|办理|处理完毕|处理|答复|回复|响应|反馈|解决|上报|报送|提交|到位|拨付|支付|兑付|兑现|发放"
    r"|落实|整改到位|整改完毕|整改|验收|公开|结案|审核|审批)$"
)
# A day dated month.day, month/day or month-day (12.20, 6/25, 7-10).
_MONTH_DAY = re.compile(r"(\d{1,2})[./-](\d{1,2})")
# A deadline so dated as on a schedule (12.31前, 6/30之前完成, 6-30前): the whole value, 前 said; 6.30 alone is a number,
# 6-30 a range (against a deadline on a day, they are days: ``day_of_date``).
_DOTTED_DEADLINE = re.compile(rf"^{_MONTH_DAY.pattern}(?=(?:之前|以前|前){_DONE_AFTER})")
# A month's first, middle or last ten days (上旬, 中旬, 下旬), read as the day that ends them.
_TEN_DAYS = re.compile(r"(?:((?:19|20)\d{2})年)?(\d{1,2})月([上中下])旬")


# A bound with its figure said twice (90%及90%以上, 5起及5起以下), as 90%及以上.
_SAID_TWICE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?\D{0,3})及\1(以上|以下)")
# Half an hour or a day, on its own or after a whole number of them (半小时, 半个小时, 半天, 一个半小时): 每半天 is a period.
_HALF = re.compile(r"(?<!每)(?:(?P<whole>\d+|[一二两三四五六七八九十])个)?半(?=个?小时|天)")


def _half(half: re.Match[str]) -> str:
    """半 as .5 of the whole before it: 半小时 as 0.5小时, 一个半小时 as 1.5小时."""
    whole = _number_from(half["whole"]) if half["whole"] else None
    return f"{(whole[0] if whole else 0.0) + 0.5:g}"


def _dotted_day(dotted: re.Match[str]) -> str:
    """12.31 (of 12.31前) as 12月31日; a month there is not (13.5前) left a number."""
    return f"{dotted[1]}月{dotted[2]}日" if 1 <= int(dotted[1]) <= 12 else dotted[0]


def _ten_days_end(ten_days: re.Match[str]) -> str:
    """12月上旬 as 12月10日, 中旬 as the 20th, 下旬 as the month's last day (in its year, else in a common year)."""
    year, month = ten_days[1], int(ten_days[2])
    if not 1 <= month <= 12:
        return ten_days[0]
    last = calendar.monthrange(int(year) if year else _LEAP_YEAR + 1, month)[1]
    day = {"上": 10, "中": 20, "下": last}[ten_days[3]]
    return f"{year + '年' if year else ''}{month}月{day}日"


def _in_digits(text: str) -> str:
    """A value whose body (comparators, 前, 完成 aside) is a month or a day in Chinese numerals, in digits: 十二月三十一日前
    is 12月31日前. Only a whole body: 一月 in 统一月度考核 is no month."""
    body = _strip_affixes(text)[0]
    date = _CHINESE_DATE.fullmatch(body)
    if date is None or not any(ch in _CN_DIGITS for ch in body):
        return text
    year = f"{arabic_years(date[1])}年" if date[1] else ""
    month, day = (_number_from(part) if part else None for part in (date[2], date[3]))
    if month is None or (date[3] and day is None):
        return text
    digits = f"{year}{month[0]:.0f}月" + (f"{day[0]:.0f}日" if day else "")
    return text.replace(body, digits, 1)


def _parse_text(raw: str, text: str) -> Quantity:
    """``parse_quantity`` of a value typed as text, folded (see ``_value_text``)."""
    if not text:
        return Quantity(raw=raw, kind="empty")
    single = _parse_single(raw, text)
    if single is not None:
        return single
    has_digits = re.search(r"\d", text) is not None
    if not has_digits:
        return Quantity(raw=raw, kind="text")
    if aside := _ASIDE.fullmatch(text):  # ≥90%（含）, 8个（100%）: the value, and an aside in brackets
        # 31000000（元）: a unit in brackets is the value's
        is_unit = aside[2] in _MEASURE_WORDS or _split_unit(aside[2])[0] in ("元", "%")
        unit = _parse_single(raw, _spelt(aside[1] + aside[2])) if aside[1] and is_unit else None
        outside = unit or (_parse_single(raw, aside[1]) if aside[1] else None)
        if outside is not None:
            return outside
        if not re.search(r"\d", aside[1]) and (inside := _parse_single(raw, aside[2])) is not None:
            return replace(inside, labelled=bool(aside[1]))  # 全部完成（100%）: the figure is in the brackets
    pieces = [piece for piece in _SEPARATORS.split(text) if piece and not _SAID_DONE.fullmatch(piece)]
    if len(pieces) == 1 and pieces[0] != text:  # 8个，已完成: the figure, beside a word that it was done
        return replace(_parse_text(raw, pieces[0]), labelled=True)
    if len(pieces) > 1 and all(_PART_OF.match(piece) for piece in pieces[1:]):
        whole = _parse_text(raw, pieces[0])  # 服务1200人次，其中线上800人次: the whole, then a part of it
        if whole.kind == "number":
            return replace(whole, labelled=True)
    if len(pieces) > 1:
        parts = [_parse_labelled(raw, piece) for piece in pieces]
        if all(part is not None for part in parts):
            return Quantity(raw=raw, kind="compound", parts=tuple(p for p in parts if p is not None))
    elif (named := _parse_labelled(raw, text, plain_label=True) or _named_after(raw, text)) is not None:
        return replace(named, labelled=True)
    return Quantity(raw=raw, kind="unparsed")


# A percentage, its bound (or 左右) said after it or not, then the name of what it measures (≥90%满意度, 95%以上满意率): after a
# percentage, no word can be its unit. The bounds are those of _SUFFIX_COMPARATORS a share takes, not a deadline's (前,
# 底). The name, as one before a value, holds no figure and no Latin letter.
_PERCENT_THEN_NAME = re.compile(
    rf"(?P<value>.+?[%‰](?:\(含\))?(?:及以上|以上|及以下|以下|及以内|以内|左右)?)(?P<name>[^\dA-Za-z]{{1,{_MAX_LABEL}}})"
)


def _named_after(raw: str, text: str) -> Quantity | None:
    """A percentage followed by the name of what it measures, read as the percentage (see ``_PERCENT_THEN_NAME``); a
    name holding a negation (≥90%不满意), which would turn the figure around, is none."""
    found = _PERCENT_THEN_NAME.fullmatch(text)
    if found is None or any(ch in _NEGATIONS for ch in found["name"]):
        return None
    return _parse_single(raw, found["value"])


def _parse_labelled(raw: str, piece: str, plain_label: bool = False) -> Quantity | None:
    """A piece like ``科普小镇1个`` or ``专家工作站三个``: a label then a quantity. A ``plain_label`` (the label of a
    whole value, 满意度≥90%) is a name, at most ``_MAX_LABEL`` characters (not a narrative), holding no digit, which
    would make it a date or a second quantity (2024年12月31日前), no negation, which would turn the quantity around
    (非90%), no Latin letter, which makes a code of the number (Q3), and no 次年 just before it, which puts a day
    (次年1月15日前) in a year no date states."""
    for start in range(min(len(piece), _MAX_LABEL + 1) if plain_label else len(piece)):
        label = piece[:start]
        if plain_label and any(ch.isdigit() or ch in _NEGATIONS or (ch.isascii() and ch.isalpha()) for ch in label):
            return None
        if plain_label and label.endswith(_NEXT_YEAR):  # 次年1月15日前: a day of a year no date here states
            return None
        candidate = _parse_single(raw, piece[start:])
        if candidate is not None and (start == 0 or not piece[start - 1].isdigit()):
            return replace(candidate, label=label)
    return None


def scale_to(quantity: Quantity, reference: Quantity) -> Quantity:
    """An actual typed without a unit (``2023.73``) takes the unit and scale of its target (``1411.9万元``). Against
    a percentage, a number up to 1 is the ratio it reads as (0.98 is 98 %) when that lies nearer the target than the
    percentage does (against 1 %, 0.5 is 0.5 %). A bare number is no calendar day (25 against 6月30日前)."""
    if quantity.kind != "number" or quantity.typed_unit or not reference.typed_unit or reference.unit == DATE:
        return quantity
    _, _, factor = _split_unit(reference.typed_unit)
    value = quantity.value or 0.0
    if reference.unit == "%" and 0 < value <= 1 and (reference.value or 0) > 0:
        target = reference.value or 1.0
        if abs(math.log(value / target)) < abs(math.log(value * factor / target)):
            factor = 1.0
    return Quantity(
        raw=quantity.raw,
        kind="number",
        comparator=quantity.comparator,
        value=value * factor,
        unit=reference.unit,
        typed_unit=reference.typed_unit,
        decimals=_scale_decimals(quantity.decimals or 0, factor),
        approximate=quantity.approximate,
    )


# Words an actual says none happened with (无, 没有, 未发生): against a target of at most some (≤5起, 0起) they are 0. A
# placeholder (/, —) says nothing was counted, not that none happened.
_NONE = frozenset({"无", "没有", "未发生", "无发生", "零发生"})
# The same said of what happened, as targets and actuals say it: 零事故, 无安全责任事故发生, 未发生安全事故, 安全事故零发生,
# 零投诉, 杜绝安全事故, 确保全年不发生安全生产事故. What is named must be a happening that is counted (无投诉 is no share of
# satisfied people, 无法统计 no count).
_HAPPENINGS = tuple("事故 投诉 差错 失误 违规 违纪 违法 案件 事件 伤亡 上访 信访 舆情 泄密 纠纷".split())
_NONE_OF = re.compile(
    r"(?:确保)?(?:全年|年内|本年度?|当年)?(?:零|无|没有|未发生|未出现|没有发生|不发生|不出现|杜绝)(?P<after>\D{1,12}?)(?:发生)?"
    r"|(?P<before>\D{1,12}?)(?:零发生|未发生|为零)"
)


def _says_none_of(text: str) -> bool:
    """Whether a folded text says none of a counted happening (``_NONE_OF``)."""
    said = _NONE_OF.fullmatch(text)
    return said is not None and (said["after"] or said["before"]).endswith(_HAPPENINGS)


def none_as_zero(actual: Quantity, target: Quantity) -> Quantity:
    """An actual saying none happened, as 0 against a target of at most some; any other actual as it is."""
    at_most = target.kind == "number" and (target.comparator in ("<=", "<") or target.value == 0)
    if not at_most or actual.kind != "text":
        return actual
    text = normalize_text(actual.raw)
    if text not in _NONE and not _says_none_of(text):
        return actual
    return Quantity(raw=actual.raw, kind="number", value=0.0, decimals=0)


# Words an actual says all of it was done with (全部完成, 已全部完成, 全覆盖, 全部达标, 百分百): against a share asked for
# at least (100%, ≥95%: a 完成率, 覆盖率) they are 100 %. 已完成 says done, not how much; 基本全部完成 says nearly.
_ALL = re.compile(
    r"(?:已|均已|已经)?(?:实现)?(?:全部|全面|全数|全|百分百)(?:完成|达标|达到|覆盖|落实|到位|兑现|实现|发放)?"
)


def all_as_full(actual: Quantity, target: Quantity) -> Quantity:
    """An actual saying all of it was done, as 100 % against a share asked for at least; any other actual as it is."""
    at_least = target.kind == "number" and target.unit == "%" and target.comparator in (None, ">=", ">")
    if not at_least or actual.kind != "text" or not _ALL.fullmatch(normalize_text(actual.raw)):
        return actual
    return Quantity(raw=actual.raw, kind="number", value=1.0, unit="%", typed_unit="%", decimals=2)


def part_in_unit(actual: Quantity, target: Quantity) -> Quantity:
    """An actual listing figures (完成8个，完成率100%) as the one of them in a unit that compares with its target's (8个
    against 8个, 100% against 100%, 10名 against 10人, 48小时 against 2天: see ``comparable_units``, ``in_time_of``);
    with none or several such, or against a target without a unit, the list as it is."""
    if actual.kind != "compound" or target.kind != "number" or target.unit is None:
        return actual
    alike = [p for p in actual.parts if p.unit is not None and comparable_units(target, in_time_of(p, target))]
    return replace(alike[0], labelled=True) if len(alike) == 1 else actual


# Lengths of time in the units one converts into another exactly, in minutes, working days or months: 48小时 is 2天,
# 1年 12个月. Days and months, or days and working days, have no set ratio, and stay apart (PE104).
_LENGTHS_OF_TIME: dict[str, tuple[str, float]] = {
    "分钟": ("分钟", 1.0),
    "小时": ("分钟", 60.0),
    "个小时": ("分钟", 60.0),
    "天": ("分钟", 1440.0),
    "日": ("分钟", 1440.0),
    "周": ("分钟", 10080.0),
    "工作日": ("工作日", 1.0),
    "个工作日": ("工作日", 1.0),
    "个月": ("个月", 1.0),
    "年": ("个月", 12.0),
}


def in_time_of(actual: Quantity, target: Quantity) -> Quantity:
    """An actual length of time in its target's unit of time (48小时 against ≤2天 is 2天); any other as it is."""
    if actual.kind != "number" or actual.value is None or actual.unit == target.unit:
        return actual
    own, asked = _LENGTHS_OF_TIME.get(actual.unit or ""), _LENGTHS_OF_TIME.get(target.unit or "")
    if own is None or asked is None or own[0] != asked[0]:
        return actual
    factor = own[1] / asked[1]
    upper = actual.upper * factor if actual.upper is not None else None
    return replace(actual, value=actual.value * factor, unit=target.unit, typed_unit=target.typed_unit, upper=upper)


def paired_parts(target: Quantity, actual: Quantity, year: int | None) -> tuple[tuple[Quantity, Quantity], ...]:
    """The figures of a list of targets, each with the figure of the actual's list that answers it, in its unit: by
    name where both lists name every figure (科普小镇1个 answers 科普小镇1个, and so does 完成科普小镇1个), else in the
    order given; each pair ``fitted``; none where the lists differ in length or in names, or a pair's units do not
    compare."""
    if target.kind != "compound" or actual.kind != "compound" or len(target.parts) != len(actual.parts):
        return ()
    pairs = list(zip(target.parts, actual.parts, strict=True))
    if all(part.label for part in target.parts + actual.parts):
        named = [
            [a for a in actual.parts if a.label.endswith(t.label) or t.label.endswith(a.label)] for t in target.parts
        ]
        if any(len(answers) != 1 for answers in named) or len({id(answers[0]) for answers in named}) != len(named):
            return ()
        pairs = [(t, answers[0]) for t, answers in zip(target.parts, named, strict=True)]
    compared = tuple(fitted(t, a, year) for t, a in pairs)
    return compared if all(comparable_units(t, a) for t, a in compared) else ()


def fitted(target: Quantity, actual: Quantity, year: int | None) -> tuple[Quantity, Quantity]:
    """A target and its actual as they compare, in the order applied: a target of none said in words as 0
    (``none_targeted``), the actual's figure in the target's unit (``part_in_unit``), an actual said as reached or kept
    to (达到90%, 控制在3%) as its figure (``as_reached``), one said as nearly reached (接近95%) as short of it
    (``as_nearly``), none or all said in words as 0 or 100 % (``none_as_zero``, ``all_as_full``), against a month a
    date or a month's end as its month (``month_of_date``, ``at_month_end``), against a day month.day as that day
    (``day_of_date``), a bare figure in the other's unit (``scale_to``), a length of time in the target's
    (``in_time_of``), a deviation against ±5% by its size (``by_size``); months and days of stated years counted from
    the form's ``year`` (``counted_from_year``)."""
    target = none_targeted(target)
    actual = all_as_full(none_as_zero(as_nearly(as_reached(part_in_unit(actual, target))), target), target)
    if target.unit == "月":  # a deadline: an actual typed as a date (2021.11, 2021-11-30) or a month's end is its month
        actual = at_month_end(month_of_date(actual))
    elif target.unit == DATE:  # a deadline on a day: an actual typed month.day (12.20, 6/25) is that day
        actual = day_of_date(actual)
    actual = by_size(in_time_of(scale_to(actual, target), target), target)
    target = scale_to(target, actual)  # a bare target (90 for 90%以上) takes the unit its actual was typed with
    base = year or target.year or actual.year
    return counted_from_year(target, base), counted_from_year(actual, base)


# 达到 or 达, and 控制在, before a figure: in a target at least or at most that much (达到90%, 控制在5%), in an actual
# what was reached or kept to (达到96%, 控制在3%).
_REACHED = re.compile(r"(?:达到?|控制在)(?=[\d.])")


def as_reached(actual: Quantity) -> Quantity:
    """An actual said as reached or kept to (达到96%, 满意度达96.5%, 控制在3%) as its figure, when that is its only
    comparator: in a target the words ask for at least or at most the figure, in an actual they say what was done; any
    other actual as it is."""
    if actual.kind != "number" or actual.comparator not in (">=", "<="):
        return actual
    text = normalize_text(actual.raw)
    if _REACHED.search(text) is None or parse_quantity(_REACHED.sub("", text, count=1)).comparator is not None:
        return actual
    return replace(actual, comparator=None)


# 将近, 接近 or 近 before a figure: nearly that much, so short of it (满意度接近95%, 将近100人); 约 and 左右 say about it.
_NEARLY = re.compile(rf"(?:将近|接近|近)(?=[\d.{_CN_DIGITS}])")


def as_nearly(actual: Quantity) -> Quantity:
    """An actual said as nearly a figure (接近95%, 将近100人) as under it, a bound as 不足95% is; in a target (接近100%)
    the word says where to aim, and an actual said about a figure (约95%, 95%左右) is that figure."""
    if (
        actual.kind != "number"
        or not actual.approximate
        or actual.comparator is not None
        or not said_nearly(actual.raw)
    ):
        return actual
    return replace(actual, comparator="<", approximate=False)


def said_nearly(text: str) -> bool:
    """Whether a text says nearly a figure: 将近, 接近 or 近 before it (满意度接近95%)."""
    return _NEARLY.search(normalize_text(text)) is not None


def by_size(actual: Quantity, target: Quantity) -> Quantity:
    """An actual against a tolerance either way (±5%) by its size, as it is that far off (-3% is 3 % off); against
    any other target, or said in words, as it is."""
    if not target.either_way or actual.kind != "number" or actual.value is None or actual.value >= 0:
        return actual
    return replace(actual, value=-actual.value)


def none_targeted(target: Quantity) -> Quantity:
    """A target asking in words for none of a counted happening (零事故, 无安全事故), as the figure 0, which asks for at
    most none; any other target as it is."""
    if target.kind != "text" or not _says_none_of(normalize_text(target.raw)):
        return target
    return Quantity(raw=target.raw, kind="number", value=0.0, decimals=0)


def comparable_units(target: Quantity, actual: Quantity) -> bool:
    """Whether two numbers can be compared: the same unit, or one of them bare (2023.73 against 1411.9万元, which
    ``scale_to`` gives the target's unit), or one measure word (15个 against 15个乡镇; 10名 against 10人, as 人, 名 and 位
    all count people); a calendar day compares with calendar days only."""
    if target.unit == actual.unit:
        return True
    if DATE in (target.unit, actual.unit):
        return False
    if not (target.unit and actual.unit):
        return True
    counted = (_counted_in(unit) for unit in (target.unit, actual.unit))
    return len({_PEOPLE.get(word, word) for word in counted}) == 1


# Measure words that all count people (10名, 10位 are 10人); 人次 counts visits, not people.
_PEOPLE = {"名": "人", "位": "人"}


def _counted_in(unit: str) -> str:
    """The measure word a unit is when the thing counted follows it (15个乡镇, 10家企业: 个, 家), so that an actual
    leaving the thing unsaid (15个) compares; any other unit as it is. 人次 and 个月 are measure words of their own, and
    a single character after one (分钟, 年度) is no thing counted, nor is a per (元/人: a rate, not a total)."""
    if unit in _MEASURE_WORDS:
        return unit
    word = next((unit[:n] for n in (2, 1) if unit[:n] in _MEASURE_WORDS), None)
    thing = unit[len(word) :] if word is not None else ""
    return word if word is not None and len(thing) >= 2 and not thing.startswith("/") else unit


# A date, or a month of a year, as units type them (2021.11, 2021-11-30 as a date cell reads, 2021年11月20日).
_DATE = re.compile(r"((?:19|20)\d{2})(?:[.\-/]|年)(\d{1,2})(?:(?:[.\-/]|月)\d{1,2}日?|月)?")


# The end of a month or a year (12月底, 12月末, 2021年底, 年末) said alone, with no word that makes it a deadline (前, 内,
# 不晚于, 最迟, 截止, ≤).
_MONTH_END = re.compile(r"[月年]度?[底末]")
_DEADLINE_WORD = re.compile(r"前|内|不|最|截|[<≤=]")


def at_month_end(actual: Quantity) -> Quantity:
    """An actual said as the end of a month (12月底, 2021年末, 年底完成) as that month: in a target 12月底 is a deadline,
    by the end of December, in an actual when the work was done; one said before it (12月底前) stays at most it."""
    if actual.unit != "月" or actual.comparator != "<=":
        return actual
    text = normalize_text(actual.raw)
    if not _MONTH_END.search(text) or _DEADLINE_WORD.search(text):
        return actual
    return replace(actual, comparator=None)


def month_of_date(quantity: Quantity) -> Quantity:
    """A date typed where a month is asked (against 12月底前): the month of its year, the day left aside as the
    month's deadline leaves it; anything else as it is. 2021.11 would be the number 2021.11 otherwise."""
    if quantity.day is not None:  # 12月20日, its year stated or not
        return replace(quantity, value=float(quantity.day[0]), unit="月", typed_unit="月", day=None)
    date = _DATE.fullmatch(normalize_text(quantity.raw))
    if date is None or not 1 <= int(date[2]) <= 12:
        return quantity
    return Quantity(
        raw=quantity.raw, kind="number", value=float(date[2]), unit="月", typed_unit="月", decimals=0, year=int(date[1])
    )


def day_of_date(quantity: Quantity) -> Quantity:
    """A day dated month.day, month/day or month-day where a day is asked (against 6月30日前): that day, as 6月25日 is;
    anything else as it is. Alone, 6.25 may be a figure and 7-10 is a range."""
    if quantity.unit == DATE:
        return quantity
    text = normalize_text(quantity.raw)
    body = _strip_affixes(text)[0]
    dated = _MONTH_DAY.fullmatch(body)
    if dated is None:
        return quantity
    day = parse_quantity(text.replace(body, _dotted_day(dated), 1))
    return replace(day, raw=quantity.raw) if day.unit == DATE else quantity


def counted_from_year(quantity: Quantity, year: int | None) -> Quantity:
    """A month or a day counted from the start of ``year`` (the form's), so that they compare across years: 2022年1月
    is month 13 of 2021, 2022年1月5日 day 370; a month or a day stated alone (12月底前, 6月30日前) is of ``year``."""
    if year is None or quantity.value is None:
        return quantity
    if quantity.day is not None:
        value = _day_number(quantity.year or year, *quantity.day, base=year)
        return replace(quantity, value=quantity.value if value is None else value, year=None)
    if quantity.year is None or quantity.unit != "月":
        return quantity
    return replace(quantity, value=quantity.value + 12 * (quantity.year - year), year=None)


_COMPARATOR_SIGNS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}


def written_like(quantity: Quantity, value: float) -> str | float:
    """``value`` (in base units) written the way ``quantity`` was typed: its comparator and typed unit kept
    (≥95%, 1411.9万元, 8个), or a plain number for a plain number."""
    if quantity.typed_unit is None and quantity.comparator is None:
        return round(value, 6)
    _, _, factor = _split_unit(quantity.typed_unit or "")
    number = round(value / factor, 2)
    shown = f"{number:.2f}".rstrip("0").rstrip(".")
    sign = "±" if quantity.either_way else _COMPARATOR_SIGNS.get(quantity.comparator or "", "")
    return f"{sign}{shown}{quantity.typed_unit or ''}"


MONEY_UNITS = {"元": 1.0, "万元": 1e4, "亿元": 1e8}
# 100亿元 in 万元: no budget of the units these forms serve comes near it, while a budget of 100万元 or more typed in
# 元 reaches it (PE112, and the templates' warning as it is typed). An amount typed with its unit (26341700元) is
# read as typed.
YUAN_LIKELY = 1_000_000
# The largest rate read as a ratio when typed without a sign: no 执行率 or 控制率 of these forms is ten times over, so
# 114.44 in a rate cell is the 114.44 % meant, and 5 stays 500 % (which PE201 shows the unit).
_MAX_RATIO = 10.0


# What units type into an amount cell to say "none" (桃江 基础数据表: 批复规模 “无”): exactly zero.
NIL_AMOUNTS = frozenset({"无", "没有", "-", "--", "—", "——", "－", "/", "／", "\\"})


def _without_currency(text: str) -> str | None:
    """An amount typed after its currency (¥3,100.00, 人民币3100万元) or before its name (3100万元人民币) without it;
    None for other words."""
    before = next((text.removeprefix(sign) for sign in _CURRENCY if text.startswith(sign)), None)
    return before or next((text.removesuffix(name) for name in _CURRENCY[1:] if text.endswith(name)), None)


@lru_cache(maxsize=8192, typed=True)
def parse_amount(cell: object, unit: str = "万元") -> Quantity:
    """An amount in the form's ``unit``: with 万元, ``990.69万元``, ``990.69万``, ``990.69``, ``9906900元`` and
    ``¥990.69万元整`` all give 990.69; ``无`` or a dash is exactly 0."""
    if isinstance(cell, str):
        text = normalize_text(cell)
        if text in NIL_AMOUNTS:
            return Quantity(raw=cell.strip(), kind="number", value=0.0, unit=unit, decimals=None)
        if bare := _without_currency(text):
            return replace(parse_amount(bare, unit), raw=cell.strip())
        if text.endswith(("元整", "元正")):  # 3100万元整, as vouchers close an amount written out
            return replace(parse_amount(text[:-1], unit), raw=cell.strip())
    quantity = parse_quantity(cell)
    if quantity.kind != "number" or quantity.comparator is not None or quantity.approximate or quantity.labelled:
        return quantity if quantity.kind != "number" else Quantity(raw=quantity.raw, kind="unparsed")
    factor = MONEY_UNITS[unit]
    # In 元: 9906900元, and 990.69万, 1.2亿 or 3.1千万 (multipliers alone in a money cell are money; the number was
    # scaled by them).
    if quantity.unit == "元" or (quantity.unit is None and quantity.typed_unit is not None):
        value, decimals = (quantity.value or 0.0) / factor, (quantity.decimals or 0) + round(math.log10(factor))
    elif quantity.unit is None:
        value, decimals = quantity.value, quantity.decimals
    else:
        return Quantity(raw=quantity.raw, kind="unparsed")
    return Quantity(
        raw=quantity.raw, kind="number", value=value, unit=unit, typed_unit=quantity.typed_unit, decimals=decimals
    )


@lru_cache(maxsize=8192, typed=True)
def parse_rate(cell: object) -> Quantity:
    """A rate cell: ``114.44%`` (text), 1.1444 (a number formatted as a percentage) or 114.44 (the percentage meant,
    its sign left out) → 1.1444."""
    quantity = parse_quantity(cell)
    if quantity.kind != "number" or quantity.comparator is not None or quantity.labelled:
        return quantity if quantity.kind != "number" else Quantity(raw=quantity.raw, kind="unparsed")
    if quantity.unit not in (None, "%"):
        return Quantity(raw=quantity.raw, kind="unparsed")
    if quantity.unit is None and abs(quantity.value or 0.0) > _MAX_RATIO:
        return replace(quantity, value=(quantity.value or 0.0) / 100, unit="%", decimals=(quantity.decimals or 0) + 2)
    return quantity


@lru_cache(maxsize=8192, typed=True)
def parse_score(cell: object) -> Quantity:
    """A score cell: ``93``, ``93分``, ``1.24``."""
    quantity = parse_quantity(cell)
    if (
        quantity.kind != "number"
        or quantity.comparator is not None
        or quantity.unit not in (None, "分")
        or quantity.labelled
    ):
        return quantity if quantity.kind != "number" else Quantity(raw=quantity.raw, kind="unparsed")
    return quantity


# A 加减分 said in words: 加 for a bonus, 扣 or 减 for a penalty (扣2.5分, 扣分2.5); nothing added or taken off.
_BONUS_SIGNS = {"加": 1.0, "扣": -1.0, "减": -1.0}
_NO_BONUS = frozenset({"无", "不加分", "不扣分", "未加分", "未扣分", "不加不扣", "无加减分"})


def parse_signed_score(cell: object) -> Quantity:
    """A 加减分 score as units write it: 2.5, -2.5, 加2.5分, 扣2.5分 (−2.5), 不加分 or 无 (0). Only in 加减分 rows: in
    another row 扣1分 could be the score or what was taken off it."""
    text = normalize_text(cell) if isinstance(cell, str) else ""
    if text in _NO_BONUS:
        return Quantity(raw=str(cell), kind="number", value=0.0, decimals=0)
    sign = _BONUS_SIGNS.get(text[:1])
    if sign is not None and text[1:2] not in _BONUS_SIGNS:
        inner = parse_score(text[1:].removeprefix("分"))
        if inner.kind == "number" and (inner.value or 0.0) >= 0:
            return replace(inner, raw=str(cell), value=sign * (inner.value or 0.0))
    return parse_score(cell)
