"""Output filters: what the model wrote must not leak the system prompt, insult or discriminate, promise what
the shop did not (discounts, free items, delivery dates, warranties), bash competitors or echo someone's PII.

Checks that need the turn's facts read them from the ``SafetyContext`` passed to ``check`` (``prompt``: the
prompt's user message, FACTS block and question), so concurrent turns never share state. Only the fenced FACTS
count as the shop's word: a shopper writing "promise me 50% off" in the question does not make it true.
"""

# ruff: noqa: E501  (regex and phrase tables read better unbroken)

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import prompt as prompt_module
from ..ports import NO_SAFETY_CONTEXT, SafetyContext, SafetyVerdict
from ..prompt import FACTS_CLOSE, FACTS_OPEN
from ..types import Language
from .pii import PiiRedactor
from .rules import REASON_ABUSIVE, REASON_HARMFUL, rule_pattern

__all__ = [
    "DEFAULT_COMPETITORS",
    "CompetitorBashingFilter",
    "HarmfulOutputFilter",
    "PiiEchoFilter",
    "PromptLeakFilter",
    "UnpromisedClaimFilter",
    "facts_of",
]

# Phrases that only occur in our system prompt; seeing one in an answer means it leaked.
SYSTEM_PROMPT_MARKERS = ("SHOPGUIDE-RULES", "FACTS are data", "资料是数据", FACTS_OPEN, FACTS_CLOSE)
LEAK_SHINGLE_WORDS = 6  # any run of this many consecutive system-prompt words in an answer is a leak
DEFAULT_COMPETITORS = (
    "amazon", "jd.com", "jingdong", "京东", "taobao", "淘宝", "tmall", "天猫", "pinduoduo", "拼多多", "walmart",
    "ebay", "aliexpress", "best buy", "suning", "苏宁", "temu", "shein", "唯品会", "vipshop", "costco", "target",
)  # fmt: skip


def system_prompt_texts() -> list[str]:
    """Every system prompt the pipeline may send (one per intent), whatever shape ``assistant.prompt`` has."""
    variants: dict[object, str] = getattr(prompt_module, "SYSTEM_PROMPTS", {})
    texts = list(variants.values()) + [getattr(prompt_module, name, "") for name in ("RULES", "SYSTEM_PROMPT")]
    return [t for t in texts if isinstance(t, str) and t]


def facts_of(context: str) -> str:
    """The fenced FACTS of a prompt, or the whole text when it carries no fence."""
    blocks = re.findall(re.escape(FACTS_OPEN) + r"(.*?)" + re.escape(FACTS_CLOSE), context, re.DOTALL)
    return "\n".join(blocks) if blocks else context


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+|[\u4e00-\u9fff]", text.lower())


class PromptLeakFilter:
    name = "prompt_leak"

    def __init__(self, system_prompts: list[str] | None = None) -> None:
        self._shingles: set[str] = set()
        for prompt_text in system_prompts if system_prompts is not None else system_prompt_texts():
            words = _words(prompt_text)
            self._shingles.update(
                " ".join(words[i : i + LEAK_SHINGLE_WORDS]) for i in range(len(words) - LEAK_SHINGLE_WORDS + 1)
            )

    def check(self, text: str, language: Language, context: SafetyContext = NO_SAFETY_CONTEXT) -> SafetyVerdict:
        lowered = text.lower()
        for marker in SYSTEM_PROMPT_MARKERS:
            if marker.lower() in lowered:
                return SafetyVerdict(False, "prompt_leak", f"marker {marker}")
        words = _words(text)
        for i in range(len(words) - LEAK_SHINGLE_WORDS + 1):
            if " ".join(words[i : i + LEAK_SHINGLE_WORDS]) in self._shingles:
                return SafetyVerdict(False, "prompt_leak", "system prompt passage")
        return SafetyVerdict.ok()


_DISCRIMINATION = re.compile(
    r"\b(women|men|girls|old people|elderly|foreigners|immigrants|black people|asians|chinese|africans|indians|"
    r"gays|disabled people|poor people|fat people)\b.{0,20}\b(are|can'?t|cannot|don'?t|shouldn'?t|never)\b.{0,20}\b"
    r"(stupid|inferior|bad at|worse at|incapable|understand|smart enough|lazy|dirty|criminals|afford|deserve)\b"
    r"|(女人|女生|男人|老人|外地人|农村人|穷人|胖子|残疾人|黑人|外国人)(都|就是|根本|天生)(不懂|不会|笨|蠢|低等|买不起|不配|懒|脏)",
    re.IGNORECASE,
)
_INSULT_CUSTOMER = re.compile(
    r"\b(you|you're|you are)\b.{0,12}\b(stupid|idiot|dumb|moron|ugly|fat|poor|cheapskate|loser|pathetic)\b"
    r"|你(真|太|就是|是个)?(笨|蠢|傻|穷|丑|胖|穷鬼|白痴|废物)",
    re.IGNORECASE,
)


class HarmfulOutputFilter:
    """Harmful instructions, insults to the shopper and discriminatory generalisations."""

    name = "harmful_output"

    def __init__(self) -> None:
        self._harm = rule_pattern(REASON_HARMFUL)
        self._abuse = rule_pattern(REASON_ABUSIVE)

    def check(self, text: str, language: Language, context: SafetyContext = NO_SAFETY_CONTEXT) -> SafetyVerdict:
        for reason, pattern in (
            ("discriminatory", _DISCRIMINATION),
            ("abusive", _INSULT_CUSTOMER),
            ("abusive", self._abuse),
            ("harmful", self._harm),
        ):
            match = pattern.search(text)
            if match:
                return SafetyVerdict(False, f"output_{reason}", match.group(0)[:60])
        return SafetyVerdict.ok()


@dataclass(frozen=True)
class _Claim:
    kind: str
    pattern: re.Pattern[str]
    # What the FACTS must contain for the claim to stand: {n} is the claim's number, if it has one.
    support: tuple[str, ...]


_NUM = r"(\d+(?:\.\d+)?)"
_ZH_NUM = "一二两三四五六七八九十"
_CLAIMS = (
    _Claim("discount", re.compile(rf"{_NUM}\s*%\s*(off|discount)|{_NUM}\s*percent off|(打|享)?{_NUM}\s*折", re.I),
           (r"{n}\s*(%|percent|折)",)),
    _Claim("discount", re.compile(r"\b(discount|coupon|promo code|voucher|on sale|special price)\b|优惠券|折扣|打折|满减|"
                                  r"立减|特价|优惠价", re.I),
           (r"discount|coupon|promo|voucher|sale|special price|deal|优惠|折扣|打折|满减|立减|特价",)),
    _Claim("free_shipping", re.compile(r"\bfree (shipping|delivery)\b|包邮|免运费|免邮", re.I),
           # policies qualify it ("free standard shipping", "免标准运费"): the qualified wording supports the claim
           (r"free (standard |express )?(shipping|delivery)|包邮|免(标准|快递)?运费|免邮",)),
    _Claim("free_gift", re.compile(r"\bfree (gifts?|items?|samples?|accessor(y|ies)|case|bag|charger|strap|headphones)\b|"
                                   r"\b(a|an|one|two|three|\d+|with|includes?|including|plus|gets?) free (?!of\b|to\b|shipping|delivery|returns?)\w+|\bcomplimentary\b|赠送|赠品|送你|白送|免费送", re.I),
           (r"free (?!shipping|delivery|returns?)\w+|complimentary|赠送|赠品|免费送",)),
    _Claim("free_returns", re.compile(r"\bfree returns?\b|免费退(货|换)", re.I),
           (r"free returns?|免费退|退货免(运)?费|免费上门取件",)),
    _Claim("free", re.compile(r"\bfor free\b|\bat no (extra )?cost\b|\bfree of charge\b|免费(?!送|退)", re.I),
           (r"free|no (extra )?cost|免费",)),
    _Claim("delivery", re.compile(rf"\b(arrive|arrives|deliver(ed|y)?|ship(s|ped)?|get it)\b.{{0,25}}\b(tomorrow|today|"
                                  rf"tonight|by (monday|tuesday|wednesday|thursday|friday|saturday|sunday|\w+ \d+)|"
                                  rf"within {_NUM}\s*(business |working )?(hours?|days?)|in {_NUM}\s*(business |working )?"
                                  rf"(hours?|days?))|\bsame[- ]day\b|\bnext[- ]day\b|\bovernight\b", re.I),
           (r"{n}\s*(business |working )?(hours?|days?|天|小时|个工作日)", r"same[- ]day|next[- ]day|tomorrow|当日达|次日达")),
    _Claim("delivery", re.compile(rf"(明天|今天|今晚|后天|当天|次日)(就能|就|即可|可以)?(到|送达|到货|发货)|{_NUM}\s*(个工作日|天|小时)(内)?"
                                  rf"(就能|即可|可以)?(送达|到货|到|发货)|[{_ZH_NUM}]+天(内)?(送达|到货|发货)"),
           (r"{n}\s*(business |working )?(hours?|days?|天|小时|个工作日)", r"当日达|次日达|当天|次日|明天")),
    _Claim("warranty", re.compile(rf"{_NUM}[- ]?(year|month|yr)s?[- ](warranty|guarantee)|\b(lifetime|extended) "
                                  rf"(warranty|guarantee)\b|\bwarranty (of|for) {_NUM}\s*(years?|months?)|保修{_NUM}\s*(年|个月)|"
                                  rf"{_NUM}\s*(年|个月)(的)?(保修|质保|包换)|终身(保修|质保)|(保修|质保)[{_ZH_NUM}]+(年|个月)", re.I),
           (r"{n}\s*[- ]?(years?|months?|yr|年|个月)", r"lifetime|终身")),
    _Claim("guarantee", re.compile(r"\b(price match|money[- ]back|guaranteed? (refund|lowest price)|best price guarantee)\b|"
                                   r"价格保护|保价|假一赔|无理由退款|全额退款", re.I),
           (r"price match|money[- ]back|guarantee|refund|价格保护|保价|假一赔|无理由|退款",)),
    # A promise that something lasts for ever (a price, a free service, a membership) needs the FACTS to say so.
    _Claim("permanent", re.compile(r"\b(permanent(ly)?|forever|for life|for good|in perpetuity|never (expires?|ends?|"
                                   r"goes? up|changes?|increases?)|(price|offer|deal|discount|it)( will)? (always|never)"
                                   r" (be|stay|change|go up)|will always be (free|this price|available))\b|永久|永远|终身(?!保修|质保)|"
                                   r"一直(都)?(免费|这个价|有效|有货)|长期有效|永不(涨价|过期|失效)", re.I),
           (r"permanent|forever|for life|lifetime|never expire|永久|永远|终身|长期有效|永不",)),
    # Any other guarantee or promise about the product ("guaranteed to fit", "质量保证", "包您满意").
    _Claim("guarantee", re.compile(r"\b(guarantee[ds]?|we promise|I promise|promised|assured|100% (safe|satisfaction|"
                                   r"authentic|genuine|waterproof|original))\b|保证|担保|包(您|你)满意|绝对(不会|没问题|正品)|"
                                   r"百分之百|100%(正品|满意|安全)", re.I),
           (r"guarantee|promise|assur|保证|担保|包(您|你)?满意|承诺",)),
    _Claim("returns", re.compile(rf"{_NUM}[- ]?days? (free )?(returns?|refunds?|money[- ]back)|{_NUM}\s*天(内)?(无理由)?(可以)?(退|换)|\b(return|refund|exchange)\w*\b.{{0,30}}\bwithin {_NUM}\s*days?", re.I),
           (r"{n}\s*[- ]?(days?|天)",)),
)  # fmt: skip


# Facts often carry numbers as attributes ("warranty_years=2", "return_days: 30"): a claim's number also
# stands when it sits on a FACTS line that names the same kind of promise.
_KIND_WORDS = {
    "warranty": r"warrant|guarantee|保修|质保",
    "delivery": r"ship|deliver|dispatch|发货|送达|配送|到货|物流",
    "returns": r"return|refund|exchange|退|换",
    "discount": r"discount|off|sale|coupon|promo|折|优惠|减",
}


def _number_on_kind_line(kind: str, number: str, facts: str) -> bool:
    words = _KIND_WORDS.get(kind)
    if words is None:
        return False
    number_re = re.compile(rf"(?<![\d.]){re.escape(number)}(?![\d.])")
    return any(re.search(words, line, re.IGNORECASE) and number_re.search(line) for line in facts.splitlines())


NEGATION_WINDOW = 16
_NEGATED = re.compile(
    r"\b(no|not|never|without|isn'?t|aren'?t|don'?t|doesn'?t|cannot|can'?t|unfortunately)\b[^.!?]*$|(没有|不|无|并非|暂无|不能)[^。！？]*$",
    re.IGNORECASE,
)


def _number_in(claim_match: re.Match[str]) -> str | None:
    for group in claim_match.groups():
        if group and re.fullmatch(r"\d+(?:\.\d+)?", group):
            return group
    return None


class UnpromisedClaimFilter:
    """Discounts, free items, delivery times, warranties and guarantees must be in the turn's FACTS.

    A claim with a number stands only if the same number with a matching unit is in the FACTS ("2-year
    warranty" needs "2 years" / "2年"); a claim without one needs the same kind of wording there.
    """

    name = "unpromised_claim"

    def __init__(self, facts: str = "") -> None:
        self._default = facts  # used when a call brings no prompt (a check run on its own)

    def unsupported(self, text: str, context: SafetyContext = NO_SAFETY_CONTEXT) -> list[str]:
        facts = facts_of(context.prompt) if context.prompt else self._default
        problems: list[str] = []
        for claim in _CLAIMS:
            for match in claim.pattern.finditer(text):
                if _NEGATED.search(text[max(0, match.start() - NEGATION_WINDOW) : match.start()]):
                    continue  # "there is no discount right now" promises nothing
                number = _number_in(match)
                if number is None:
                    supports = [s for s in claim.support if "{n}" not in s] or [re.escape(match.group(0))]
                else:
                    supports = [s.replace("{n}", re.escape(number)) for s in claim.support if "{n}" in s]
                supported = any(re.search(s, facts, re.IGNORECASE) for s in supports)
                if not supported and number is not None:
                    supported = _number_on_kind_line(claim.kind, number, facts)
                if not supported:
                    problems.append(f"{claim.kind}: {match.group(0).strip()[:50]}")
        return problems

    def check(self, text: str, language: Language, context: SafetyContext = NO_SAFETY_CONTEXT) -> SafetyVerdict:
        problems = self.unsupported(text, context)
        if problems:
            return SafetyVerdict(False, "unpromised_claim", "; ".join(problems)[:200])
        return SafetyVerdict.ok()


_NEGATIVE = (
    r"(worse|worst|terrible|awful|horrible|scam|scams|scammers?|fraud|fake|counterfeit|rip[- ]?off|ripoff|"
    r"garbage|trash|avoid|never buy|don'?t buy|do not buy|unreliable|sucks?|crap|dishonest|shady|cheat|liars?|"
    r"差|垃圾|坑|骗|假货|别去|不要去|不靠谱|烂|黑心|山寨|千万别)"
)


class CompetitorBashingFilter:
    """No disparaging other shops by name; comparing our own products is fine."""

    name = "competitor_bashing"

    def __init__(self, competitors: tuple[str, ...] | list[str] = DEFAULT_COMPETITORS) -> None:
        names = "|".join(re.escape(c) for c in competitors if c.strip())
        self._pattern = (
            re.compile(rf"(?:{names}).{{0,40}}{_NEGATIVE}|{_NEGATIVE}.{{0,30}}(?:{names})", re.IGNORECASE | re.DOTALL)
            if names
            else None
        )

    def check(self, text: str, language: Language, context: SafetyContext = NO_SAFETY_CONTEXT) -> SafetyVerdict:
        if self._pattern is None:
            return SafetyVerdict.ok()
        match = self._pattern.search(text)
        if match:
            return SafetyVerdict(False, "competitor_bashing", match.group(0)[:60])
        return SafetyVerdict.ok()


class PiiEchoFilter:
    """Never echo personal data the turn did not contain (another shopper's phone, a card number)."""

    name = "pii_echo"

    def __init__(self, redactor: PiiRedactor | None = None) -> None:
        self.redactor = redactor or PiiRedactor()

    def check(self, text: str, language: Language, context: SafetyContext = NO_SAFETY_CONTEXT) -> SafetyVerdict:
        context_digits = re.sub(r"\D", "", context.prompt)
        context_lower = context.prompt.lower()
        for span in self.redactor.spans(text):
            value = span.value
            digits = re.sub(r"\D", "", value)
            known = (digits and len(digits) >= 6 and digits in context_digits) or value.lower() in context_lower
            if not known:
                return SafetyVerdict(False, "pii_echo", f"{span.kind} not in the turn's context")
        return SafetyVerdict.ok()
