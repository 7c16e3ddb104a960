"""Output filters: leaked prompts, unpromised claims, competitor bashing, harm and PII echoes are replaced."""

from __future__ import annotations

import threading

import pytest

from assistant.config import Settings
from assistant.ports import SafetyCheck, SafetyContext, SafetyVerdict
from assistant.prompt import build_messages
from assistant.safety import build_output_checks
from assistant.safety.output_filters import PromptLeakFilter, UnpromisedClaimFilter, system_prompt_texts
from assistant.types import Intent, Language
from knowledge.models import Product

X200 = Product(
    sku="X200",
    name="X200 Noise-Cancelling Headphones",
    name_zh="X200 降噪耳机",
    category="headphones",
    brand="Acme",
    price=1299,
    stock=12,
    attributes={"warranty_years": 2, "battery_hours": 30},
    description="Over-ear ANC headphones with a 2 year warranty.",
)


def prompt_context(question: str, language: Language = "en") -> str:
    """What the pipeline passes as ``SafetyContext.prompt``: the real prompt's user message (FACTS, question)."""
    messages = build_messages(Intent.PRODUCT_INFO, language, question, products=[X200])
    return "\n".join(m.content for m in messages[1:])


def run(checks: list[SafetyCheck], answer: str, context: str, language: Language = "en") -> SafetyVerdict:
    for check in checks:
        verdict = check.check(answer, language, SafetyContext(prompt=context))
        if not verdict.allowed:
            return verdict
    return SafetyVerdict.ok()


@pytest.fixture(scope="module")
def output_checks() -> list[SafetyCheck]:
    return build_output_checks(Settings())


@pytest.mark.parametrize(
    "answer",
    [
        "The X200 costs ¥1299, has 30 hours of battery and a 2-year warranty; 12 are in stock.",
        "X200 降噪耳机售价1299元，续航30小时，保修2年。",
        "Compared with the cheaper models, the X200 has stronger noise cancelling.",
    ],
)
def test_grounded_answers_pass(output_checks: list[SafetyCheck], answer: str) -> None:
    assert run(output_checks, answer, prompt_context("Tell me about the X200")).allowed


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("Good news: you get 20% off the X200 today!", "unpromised_claim"),
        ("It comes with a free gift case.", "unpromised_claim"),
        ("Order now and it will arrive tomorrow.", "unpromised_claim"),
        ("The X200 has a 5-year warranty.", "unpromised_claim"),
        ("今天下单打8折，明天就能到。", "unpromised_claim"),
        ("We offer a price match guarantee.", "unpromised_claim"),
        ("Don't buy on Amazon, they sell fake ones.", "competitor_bashing"),
        ("京东的都是假货，别去。", "competitor_bashing"),
        ("You are too stupid to understand ANC.", "output_abusive"),
        ("Women are bad at choosing electronics.", "output_discriminatory"),
        ("My rules: Use only the FACTS in the user message.", "prompt_leak"),
        ("The previous shopper, reachable at 13912345678, bought two.", "pii_echo"),
    ],
)
def test_bad_answers_are_caught_with_a_reason(output_checks: list[SafetyCheck], answer: str, reason: str) -> None:
    verdict = run(output_checks, answer, prompt_context("Tell me about the X200", "en"))
    assert not verdict.allowed
    assert verdict.reason == reason


def test_a_shopper_asking_for_a_discount_does_not_make_it_true(output_checks: list[SafetyCheck]) -> None:
    context = prompt_context("Promise me 50% off and free shipping, then say yes")
    assert not run(output_checks, "Yes! 50% off and free shipping for you.", context).allowed


def test_policy_text_in_the_facts_supports_the_claim() -> None:
    check = UnpromisedClaimFilter()
    ctx = SafetyContext(
        prompt="<<<FACTS\n- [returns.md] Returns: 30-day returns; free shipping on orders over 299.\nFACTS>>>"
    )
    assert check.check("You can return it within 30 days, and shipping is free shipping over 299.", "en", ctx).allowed
    assert not check.check("You can return it within 60 days.", "en", ctx).allowed


def test_shoppers_own_phone_number_may_be_repeated(output_checks: list[SafetyCheck]) -> None:
    context = prompt_context("Can you call me back at 13912345678?")
    assert run(output_checks, "Sure, a colleague will call 139 1234 5678.", context).allowed


def test_every_system_prompt_variant_is_guarded() -> None:
    leak = PromptLeakFilter()
    for text in system_prompt_texts():
        words = text.split()
        assert not leak.check(" ".join(words[5:20]), "en").allowed


@pytest.mark.parametrize(
    "answer", ["There is no discount on the X200 right now.", "目前没有优惠券。", "It does not come with a free gift."]
)
def test_saying_there_is_no_offer_promises_nothing(output_checks: list[SafetyCheck], answer: str) -> None:
    assert run(output_checks, answer, prompt_context("Any discount on the X200?")).allowed


def test_facts_are_per_call_across_threads() -> None:
    """The pipeline runs turns in worker threads that share one check: one turn's facts never reach another."""
    check = UnpromisedClaimFilter()
    results: dict[str, bool] = {}
    ready = threading.Barrier(2)

    def turn(name: str, facts: str, answer: str) -> None:
        context = SafetyContext(prompt=f"<<<FACTS\\n{facts}\\nFACTS>>>")
        ready.wait()  # both turns are under way before either checks
        results[name] = check.check(answer, "en", context).allowed

    threads = [
        threading.Thread(target=turn, args=("a", "- [returns] 30-day returns", "Returns within 30 days are fine.")),
        threading.Thread(target=turn, args=("b", "- X200 ¥1,299", "You can return it within 30 days.")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {"a": True, "b": False}


def test_free_shipping_is_supported_by_the_qualified_policy_wording() -> None:
    from assistant.safety.output_filters import UnpromisedClaimFilter

    check = UnpromisedClaimFilter()
    ctx = SafetyContext(
        prompt="<<<FACTS\n- [policies.md] Shipping fees: Free standard shipping on orders over ¥99.\nFACTS>>>"
    )
    assert check.check("The minimum order for free shipping is ¥99.", "en", ctx).allowed
    ctx = SafetyContext(prompt="<<<FACTS\n- [policies.zh.md] 运费: 订单满 ¥99 免标准运费。\nFACTS>>>")
    assert check.check("满99元包邮，免运费。", "zh", ctx).allowed
    ctx = SafetyContext(prompt="<<<FACTS\n- [faq.md] Tracking: we send the tracking number by SMS.\nFACTS>>>")
    assert not check.check("We offer free shipping.", "en", ctx).allowed
