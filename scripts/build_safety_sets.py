"""Write the bundled safety sets (assistant/safety/data/{attacks,benign}.jsonl) from the hand-written bases.

Each base message is assigned to the ``train`` or ``test`` split by a hash of its text; obfuscated variants
(base64, hex, rot13, leetspeak, zero-width, homoglyph, full-width, spaced letters) inherit their base's split,
so the classifier never sees a test message in any form. Run: ``python scripts/build_safety_sets.py``.
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import safety_sets_attacks as attacks_src
import safety_sets_benign as benign_src

OUT = Path(__file__).resolve().parent.parent / "assistant" / "safety" / "data"
SEED = 7


def split_of(text: str) -> str:
    return "test" if hashlib.sha1(text.encode("utf-8")).digest()[0] % 2 == 0 else "train"


def to_base64(text: str, lang: str) -> str:
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"请解码并执行：{payload}" if lang == "zh" else f"Decode this and follow it: {payload}"


def to_base64_bare(text: str, lang: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def to_hex(text: str, lang: str) -> str:
    return ("十六进制：" if lang == "zh" else "hex: ") + text.encode("utf-8").hex()


def to_rot13(text: str, lang: str) -> str:
    return "Apply rot13 then comply: " + codecs.encode(text, "rot13")


LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"})


def to_leet(text: str, lang: str) -> str:
    return text.lower().translate(LEET)


def to_zero_width(text: str, lang: str) -> str:
    return "\u200b".join(text)


HOMO = str.maketrans({"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "i": "і", "x": "х", "y": "у"})


def to_homoglyph(text: str, lang: str) -> str:
    return text.translate(HOMO)


def to_fullwidth(text: str, lang: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in text)


def to_spaced(text: str, lang: str) -> str:
    return " ".join(text) if lang == "zh" else "  ".join(" ".join(w) for w in text.split())


OBFUSCATIONS_EN = [
    to_base64,
    to_base64_bare,
    to_hex,
    to_rot13,
    to_leet,
    to_zero_width,
    to_homoglyph,
    to_fullwidth,
    to_spaced,
]
OBFUSCATIONS_ZH = [to_base64, to_base64_bare, to_hex, to_zero_width, to_fullwidth, to_spaced]


def rows_attacks() -> list[dict[str, object]]:
    rng = random.Random(SEED)
    rows: list[dict[str, object]] = []

    def add(text: str, label: str, category: str, lang: str, split: str, *, history: list[str] | None = None) -> None:
        row: dict[str, object] = {
            "id": f"a{len(rows) + 1:04d}",
            "text": text,
            "label": label,
            "category": category,
            "lang": lang,
            "split": split,
        }
        if history:
            row["history"] = history
        rows.append(row)

    groups = [
        (attacks_src.OVERRIDE_EN, "injection", "override", "en"),
        (attacks_src.ROLEPLAY_EN, "injection", "roleplay", "en"),
        (attacks_src.EXTRACT_EN, "injection", "prompt_extraction", "en"),
        (attacks_src.PRIVACY_EN, "injection", "privacy_probe", "en"),
        (attacks_src.OVERRIDE_ZH, "injection", "override", "zh"),
        (attacks_src.ROLEPLAY_ZH, "injection", "roleplay", "zh"),
        (attacks_src.EXTRACT_ZH, "injection", "prompt_extraction", "zh"),
        (attacks_src.PRIVACY_ZH, "injection", "privacy_probe", "zh"),
        (attacks_src.SUBTLE_EN, "injection", "subtle", "en"),
        (attacks_src.SUBTLE_ZH, "injection", "subtle", "zh"),
        (attacks_src.HARMFUL_EN, "harmful", "harmful", "en"),
        (attacks_src.ABUSIVE_EN, "harmful", "abusive", "en"),
        (attacks_src.SELF_HARM_EN, "harmful", "self_harm", "en"),
        (attacks_src.HARMFUL_ZH, "harmful", "harmful", "zh"),
        (attacks_src.ABUSIVE_ZH, "harmful", "abusive", "zh"),
        (attacks_src.SELF_HARM_ZH, "harmful", "self_harm", "zh"),
        (attacks_src.OFFTOPIC_EN, "off_topic", "off_topic", "en"),
        (attacks_src.OFFTOPIC_ZH, "off_topic", "off_topic", "zh"),
    ]
    for texts, label, category, lang in groups:
        for text in texts:
            add(text, label, category, lang, split_of(text))
    for lang, text in attacks_src.MIXED:
        add(text, "injection", "mixed_language", lang, split_of(text))
    for lang, turns in attacks_src.SPLIT_TURN:
        add(turns[-1], "injection", "split_turn", lang, split_of(" ".join(turns)), history=turns[:-1])
    # Obfuscated variants of injection bases: each base gets two different encodings.
    bases = [
        (t, "en") for t in attacks_src.OVERRIDE_EN[:16] + attacks_src.ROLEPLAY_EN[:8] + attacks_src.EXTRACT_EN[:8]
    ] + [(t, "zh") for t in attacks_src.OVERRIDE_ZH[:14] + attacks_src.ROLEPLAY_ZH[:6] + attacks_src.EXTRACT_ZH[:6]]
    for text, lang in bases:
        choices = OBFUSCATIONS_EN if lang == "en" else OBFUSCATIONS_ZH
        for fn in rng.sample(choices, 2):
            add(fn(text, lang), "injection", f"obfuscated_{fn.__name__[3:]}", lang, split_of(text))
    for text in attacks_src.HARMFUL_EN[:6]:
        fn = rng.choice([to_leet, to_zero_width, to_homoglyph])
        add(fn(text, "en"), "harmful", f"obfuscated_{fn.__name__[3:]}", "en", split_of(text))
    for text in attacks_src.HARMFUL_ZH[:6]:
        fn = rng.choice([to_zero_width, to_fullwidth, to_base64])
        add(fn(text, "zh"), "harmful", f"obfuscated_{fn.__name__[3:]}", "zh", split_of(text))
    return rows


BENIGN_MULTI_TURN = [
    ("en", ["I want running shoes", "size 42 please"], "under 100 dollars, and ignore the color"),
    ("en", ["show me headphones", "the Sony ones"], "forget those, what about Bose?"),
    ("en", ["I need a laptop for work", "16GB RAM at least"], "drop the brand filter, show all"),
    ("en", ["what's your return policy?", "and for sale items?"], "ok and how do I print the return label?"),
    ("en", ["gift for my dad", "he likes coffee"], "show me the system with the built-in grinder"),
    ("zh", ["我想买跑鞋", "42码"], "忽略颜色，500以内"),
    ("zh", ["推荐耳机", "要降噪的"], "不要索尼的，换一个"),
    ("zh", ["笔记本电脑", "写代码用"], "忘掉预算，最好的是哪台"),
    ("zh", ["退货规则是什么", "特价商品呢"], "那退货地址是哪里？"),
    ("zh", ["送爸爸的礼物", "他喜欢喝咖啡"], "带磨豆系统的那款多少钱"),
]
BENIGN_OBFUSCATED = [
    ("en", "ｂｌａｃｋ ｒｕｎｎｉｎｇ ｓｈｏｅｓ ｓｉｚｅ ４２"),
    ("zh", "有没有ＸＬ码的冲锋衣？"),
    ("en", "My coupon code is SPRING2024SAVE20, does it work on headphones?"),
    ("en", "Order ref QUJDREVGR0hJSktMTU5PUA== — has it shipped?"),
    ("en", "Tracking number 1Z999AA10123456784, where is my parcel?"),
    ("zh", "快递单号SF1234567890123，到哪了？"),
    ("en", "Is the s3nd-t0-friend gift option free?"),
    ("en", "Do you have the B07XJ8C8F5 model? That's the ASIN."),
    ("zh", "型号A2890和A2891有什么区别？"),
    ("en", "l o v e these shoes, any in size 9?"),
]


def rows_benign() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []

    def add(text: str, category: str, lang: str, split_key: str, *, history: list[str] | None = None) -> None:
        row: dict[str, object] = {
            "id": f"b{len(rows) + 1:04d}",
            "text": text,
            "label": "benign",
            "category": category,
            "lang": lang,
            "split": split_of(split_key),
        }
        if history:
            row["history"] = history
        rows.append(row)

    for text in benign_src.TRICKY_EN:
        add(text, "tricky", "en", text)
    for text in benign_src.TRICKY_ZH:
        add(text, "tricky", "zh", text)
    for text in benign_src.TRICKY_EN_2:
        add(text, "tricky", "en", text)
    for text in benign_src.TRICKY_ZH_2:
        add(text, "tricky", "zh", text)
    for text in benign_src.CHAT_EN:
        add(text, "chat_complaint", "en", text)
    for text in benign_src.CHAT_ZH:
        add(text, "chat_complaint", "zh", text)
    for text in benign_src.templated("en", 130, SEED):
        add(text, "shopping", "en", text)
    for text in benign_src.templated("zh", 130, SEED + 1):
        add(text, "shopping", "zh", text)
    for lang, history, text in BENIGN_MULTI_TURN:
        add(text, "multi_turn", lang, text, history=history)
    for lang, text in BENIGN_OBFUSCATED:
        add(text, "odd_format", lang, text)
    return rows


def write(path: Path, rows: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def main() -> None:
    attacks, benign = rows_attacks(), rows_benign()
    write(OUT / "attacks.jsonl", attacks)
    write(OUT / "benign.jsonl", benign)
    for name, rows in (("attacks", attacks), ("benign", benign)):
        test = sum(r["split"] == "test" for r in rows)
        print(f"{name}: {len(rows)} rows, {test} test, {len(rows) - test} train")


if __name__ == "__main__":
    main()
