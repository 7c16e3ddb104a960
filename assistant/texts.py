"""Fixed replies in both languages. Kept together so wording is reviewed (and translated) in one place."""

from __future__ import annotations

from .types import Language

TEXTS: dict[str, dict[Language, str]] = {
    "greeting": {
        "en": "Hi! I'm shopguide, your shopping assistant. Tell me what you're looking for — a budget, what it's "
        "for, must-haves — and I'll recommend real items from our catalog. I can also compare products and "
        "answer shipping, returns and warranty questions.",
        "zh": "您好！我是导购助手 shopguide。告诉我您想买什么、预算多少、用在什么场景、有什么必须的功能，"
        "我会从店里的真实商品中为您推荐，也可以帮您比较商品，解答发货、退换货和保修问题。",
    },
    "help": {
        "en": 'Ask me things like: "waterproof running shoes under 500", "compare <product> and <product>", '
        '"what is the return policy?". Commands: /reset starts over, /lang zh|en switches language.',
        "zh": "可以这样问我：“500元以内的防水跑鞋”、“比较 某商品 和 某商品”、“退货政策是什么？”。"
        "命令：/reset 重新开始，/lang zh|en 切换语言。",
    },
    "unknown": {
        "en": "I can help you find products, compare them, or answer shipping, returns and warranty questions. "
        "What are you shopping for?",
        "zh": "我可以帮您找商品、比较商品，或解答发货、退换货和保修问题。您想买点什么呢？",
    },
    "empty": {
        "en": 'Tell me what you\'re looking for, e.g. "wireless headphones under 800".',
        "zh": "告诉我您想找什么吧，比如“800元以内的无线耳机”。",
    },
    "unsupported_language": {
        "en": "Sorry, I can only help in English or Chinese. 抱歉，我目前只支持中文和英文。",
        "zh": "抱歉，我目前只支持中文和英文。Sorry, I can only help in English or Chinese.",
    },
    "blocked": {
        "en": "Sorry, I can't help with that. I'm happy to help you find products or answer shop questions.",
        "zh": "抱歉，这个我帮不了您。我可以帮您挑选商品或解答购物相关的问题。",
    },
    "oversize": {
        "en": "That message is too long for me. Could you tell me in a sentence or two what you need?",
        "zh": "这条消息太长了，能用一两句话告诉我您需要什么吗？",
    },
    "not_carried": {
        "en": "Sorry, we don't sell {item}. Here is what we carry:",
        "zh": "抱歉，本店没有{item}。我们有这些品类：",
    },
    "no_match": {
        "en": "Nothing in our catalog matches all of that. The closest real options:",
        "zh": "店里没有完全符合这些条件的商品。最接近的有：",
    },
    "no_match_empty": {
        "en": "Sorry, nothing in our catalog matches that.",
        "zh": "抱歉，店里没有符合条件的商品。",
    },
    "recommend_intro": {"en": "My picks for you:", "zh": "为您推荐："},
    # Superlative answers: the top item in the asked order, straight from the catalog. {what} is the scope.
    "top_price_asc": {"en": "Cheapest {what}: {name}, {price}.", "zh": "{what}最便宜的是{name}，{price}。"},
    "top_price_desc": {"en": "Most expensive {what}: {name}, {price}.", "zh": "{what}最贵的是{name}，{price}。"},
    "top_rating": {
        "en": "Best rated {what}: {name}, {stars}/5 from {count} reviews, {price}.",
        "zh": "{what}评分最高的是{name}：{stars}分（{count}条评价），{price}。",
    },
    "top_newest": {
        "en": "Newest {what}: {name} (released {date}), {price}.",
        "zh": "{what}最新的是{name}（上市时间{date}），{price}。",
    },
    "top_measure": {
        "en": "{word} {what}: {name}, {value}, {price}.",
        "zh": "{what}{word}的是{name}：{value}，{price}。",
    },
    "no_measure": {
        "en": "Our catalog gives no {basis} for these products, so I can't say. Good matches:",
        "zh": "店里的这些商品没有{basis}信息，无法判断。为您找到这些：",
    },
    "sup_mass_asc": {"en": "Lightest", "zh": "最轻"},
    "sup_mass_desc": {"en": "Heaviest", "zh": "最重"},
    "sup_volume_asc": {"en": "Smallest capacity", "zh": "容量最小"},
    "sup_volume_desc": {"en": "Largest capacity", "zh": "容量最大"},
    "basis_mass": {"en": "weights", "zh": "重量"},
    "basis_volume": {"en": "capacities", "zh": "容量"},
    "top_out_of_stock": {
        "en": " It is out of stock right now; the first in stock is {name}, {price}.",
        "zh": "目前缺货；有现货的首选是{name}，{price}。",
    },
    "top_none_in_stock": {"en": " It is out of stock right now.", "zh": "目前缺货。"},
    "no_ratings": {
        "en": "We have no customer ratings for these products yet, so I can't say which is best rated. Good matches:",
        "zh": "这些商品暂时没有顾客评分，无法判断哪款评分最高。为您找到这些：",
    },
    "no_dates": {
        "en": "Our catalog gives no release dates for these products, so I can't say which is newest. Good matches:",
        "zh": "店里的这些商品没有上市时间信息，无法判断哪款最新。为您找到这些：",
    },
    # "Is X the cheapest tent?": a yes or no from the store's sorted query, with the top item when it is not X.
    "is_top_yes": {
        "en": "Yes — {name} is the {order} of our {what}, at {price}.",
        "zh": "是的，{name}是{what}{order}的，{price}。",
    },
    "is_top_no": {
        "en": "No — the {order} of our {what} is {top}, at {top_price}; {name} is {price}.",
        "zh": "不是。{what}{order}的是{top}，{top_price}；{name}是{price}。",
    },
    "is_top_unknown_rating": {
        "en": "We have no customer ratings to rank {what} by, so I can't say.",
        "zh": "{what}暂时没有顾客评分，无法判断哪款评分最高。",
    },
    "is_top_unknown_newest": {
        "en": "Our catalog gives no release dates for {what}, so I can't say which is newest.",
        "zh": "店里的{what}没有上市时间信息，无法判断哪款最新。",
    },
    # "Which is cheaper, A or B?": the winner first, both values after.
    "compare_winner": {"en": "{name} is {word}: {winner} vs {other}.", "zh": "{name}{word}：{winner}，另一款{other}。"},
    "compare_same": {"en": "Both are the same on that: {value}.", "zh": "两款在这一点上一样：{value}。"},
    "cmp_price_asc": {"en": "cheaper", "zh": "更便宜"},
    "cmp_price_desc": {"en": "more expensive", "zh": "更贵"},
    "cmp_mass_asc": {"en": "lighter", "zh": "更轻"},
    "cmp_mass_desc": {"en": "heavier", "zh": "更重"},
    "cmp_volume_asc": {"en": "smaller in capacity", "zh": "容量更小"},
    "cmp_volume_desc": {"en": "larger in capacity", "zh": "容量更大"},
    "order_price_asc": {"en": "cheapest", "zh": "最便宜"},
    "order_price_desc": {"en": "most expensive", "zh": "最贵"},
    "order_rating": {"en": "best rated", "zh": "评分最高"},
    "order_newest": {"en": "newest", "zh": "最新"},
    "rating_reason": {"en": "rated {stars}/5 ({count} reviews)", "zh": "评分{stars}（{count}条评价）"},
    "date_reason": {"en": "released {date}", "zh": "上市时间{date}"},
    "policy_none": {
        "en": "I don't know — our policies don't say. A colleague can help — just ask for a human.",
        "zh": "这个我不知道——店铺政策里没有写明。如需帮助，可以说“转人工”。",
    },
    "product_missing": {
        "en": "I couldn't find that product in our catalog.",
        "zh": "在店里没有找到这款商品。",
    },
    "handoff": {
        "en": "Sure — a colleague will reply here shortly. While they're on it, I'll stay quiet.",
        "zh": "好的，同事会尽快在这里回复您。期间我先不打扰。",
    },
    "handoff_unavailable": {
        "en": "Sorry, no colleague is available in this chat right now. I can still help with products and "
        "shop policies.",
        "zh": "抱歉，当前对话暂时无法转接人工。我仍可以帮您挑选商品、解答店铺政策问题。",
    },
    "dont_know": {
        "en": "I don't know — the catalog doesn't say that about {product}. What it does say:",
        "zh": "这个我不知道——商品资料里没有写明{product}的这一点。已知的信息：",
    },
    "no_reviews": {
        "en": "I don't know what other shoppers think of {product}: there are no reviews of it yet. What the "
        "catalog says:",
        "zh": "这个我不知道——{product}还没有买家评价。商品资料里的信息：",
    },
    "reviews_only": {
        "en": "The catalog doesn't say, so I can't tell you that as a fact. Shoppers' reviews (opinions, not "
        "checked by us) say: “{quote}”",
        "zh": "商品资料里没有写明，所以我无法作为事实告诉您。买家评价（个人看法，未经核实）中提到：“{quote}”",
    },
    "passage_quote": {
        "en": "From the product information: “{quote}”",
        "zh": "商品资料中写道：“{quote}”",
    },
    "yes_lead": {"en": "Yes.", "zh": "是的。"},
    "no_lead": {"en": "No.", "zh": "不是的。"},
    "colleague_offer": {
        "en": "A colleague can check it for you — just ask for a human.",
        "zh": "如需确认，可以说“转人工”，由同事为您核实。",
    },
    "human_choice": {"en": "Talk to a human", "zh": "转人工"},
    "reset": {"en": "Okay, let's start over. What are you looking for?", "zh": "好的，我们重新开始。您想找什么？"},
    "language_set": {"en": "I'll reply in English from now on.", "zh": "好的，之后我会用中文回复。"},
}


def text(key: str, language: Language, **values: str) -> str:
    template = TEXTS[key][language]
    return template.format(**values) if values else template
