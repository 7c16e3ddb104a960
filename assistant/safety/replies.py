"""What a shopper reads when a message is refused: short, polite, in their language, and never revealing
which rule fired or how the filter works.
"""

from __future__ import annotations

from ..types import Language
from .rules import REASON_ABUSIVE, REASON_OFF_TOPIC, REASON_OVERSIZE, REASON_SELF_HARM

__all__ = ["refusal_text"]

_DEFAULT = {
    "en": "Sorry, I can't help with that. I'm happy to help you find products or answer questions about our shop.",
    "zh": "抱歉，这个我帮不了您。我可以帮您挑选商品，或解答关于本店的问题。",
}
_BY_REASON: dict[str, dict[Language, str]] = {
    REASON_OVERSIZE: {
        "en": "That message is too long for me. Could you tell me in a sentence or two what you're looking for?",
        "zh": "这条消息太长了，能用一两句话告诉我您想找什么吗？",
    },
    REASON_OFF_TOPIC: {
        "en": "I'm the shop's shopping assistant, so I can only help with products, orders and our policies. "
        "What are you shopping for today?",
        "zh": "我是本店的购物助手，只能帮您解答商品、订单和店铺政策相关的问题。今天想买点什么？",
    },
    REASON_ABUSIVE: {
        "en": "I'm sorry this has been frustrating. I'd like to help: tell me what you need, "
        "or ask for a human colleague.",
        "zh": "很抱歉让您不愉快。我很想帮您解决问题：请告诉我您的需求，或者回复“转人工”联系同事。",
    },
    REASON_SELF_HARM: {
        "en": "I'm really sorry you're feeling this way. I can't help with that, but you don't have to go through "
        "it alone: please reach out to someone you trust or a local crisis line right now.",
        "zh": "听到您这样说我很难过。这个我帮不了您，但您不必独自面对："
        "请马上联系您信任的人，或拨打当地的心理援助热线。",
    },
}


def refusal_text(reason: str | None, language: Language) -> str:
    """The reply to a refused message; injection, extraction and harm share one neutral wording."""
    return _BY_REASON.get(reason or "", _DEFAULT)[language] if reason in _BY_REASON else _DEFAULT[language]
