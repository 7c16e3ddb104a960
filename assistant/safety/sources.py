"""Every labelled source the safety evaluation and training read: our own sets and public sets shipped inside
PyPI packages (installed with the ``safety-eval`` extra; never downloaded at run time).

Each source says where it comes from, its licence, and whether the rules were written with it in view
(``rules_saw``): a leave-one-source-out figure on such a source is blind for the learned layer only.
"""

from __future__ import annotations

import csv
import importlib
import importlib.resources
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from .classifier import DATA_DIR
from .datasets import ATTACK_FILE, BENIGN_FILE, LabelledMessage, load_jsonl

__all__ = ["LabelledSource", "load_sources"]

OVERDEFENCE_FILE = DATA_DIR / "overdefence.jsonl"
HARMFUL_FILE = DATA_DIR / "harmful.jsonl"
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class LabelledSource:
    name: str
    origin: str  # "ours" or "public: <package> (<licence>)"
    rules_saw: bool
    messages: tuple[LabelledMessage, ...]
    train: bool = True  # False: only ever judged, never trained on (held out of the shipped detector too)

    @property
    def is_public(self) -> bool:
        return self.origin.startswith("public")


def _package_text(package: str, *parts: str) -> str | None:
    try:
        return importlib.resources.files(package).joinpath(*parts).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return None


def _lang_of(text: str, given: str = "") -> str:
    if _CJK_RE.search(text):
        return "zh"
    return given or "en"


def _bastioncorpus() -> list[LabelledMessage] | None:
    """User-input rows only; its tool-output rows score the retrieved-text firewall (``firewall_detection``)."""
    text = _package_text("bastioncorpus", "corpus", "injections.jsonl")
    if text is None:
        return None
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [
        LabelledMessage(
            text=row["text"],
            label="injection" if row.get("label") == "malicious" else "benign",
            lang=str(row.get("lang") or "en"),
            category=str(row.get("category") or ""),
            id=str(row.get("id") or ""),
        )
        for row in rows
        if row.get("channel") == "user_input"
    ]


def _jailbreak_corpus_mini() -> list[LabelledMessage] | None:
    text = _package_text("jailbreak_corpus_mini", "corpus.json")
    if text is None:
        return None
    return [
        LabelledMessage(text=row["prompt"], label="injection", category=str(row.get("category") or ""), id=row["id"])
        for row in json.loads(text)
    ]


def _guardmeter() -> list[LabelledMessage] | None:
    """guardmeter's built-in sample: unsafe requests (some leetspeak or obfuscated) and benign look-alikes.
    Its ``borderline`` rows have no single right answer and are left out."""
    text = _package_text("guardmeter", "data", "builtin", "sample.csv")
    if text is None:
        return None
    out: list[LabelledMessage] = []
    for row in csv.DictReader(io.StringIO(text)):
        if row["label"] not in ("unsafe", "benign"):
            continue
        label = "harmful" if row["label"] == "unsafe" else "benign"
        category = f"{row['category']}/{row['attack_type']}"
        out.append(
            LabelledMessage(
                text=row["text"],
                label=label,
                lang=_lang_of(row["text"], row["language"]),
                category=category,
                id=row["id"],
            )
        )
    return out


def _hermes_jailbench() -> list[LabelledMessage] | None:
    """hermes-jailbench's attack templates, rendered with the package's own default target."""
    try:
        attacks = importlib.import_module("hermes_jailbench.attacks")
    except ImportError:
        return None
    return [
        LabelledMessage(
            text=attack.render(),
            label="injection",
            lang=_lang_of(attack.render()),
            category=str(attack.category.value),
            id=f"hermes:{attack.name}",
        )
        for attack in attacks.ALL_ATTACKS
    ]


def _jbb_behaviors() -> list[LabelledMessage] | None:
    """JailbreakBench's JBB-Behaviors as vendored by blastcontain-drill: 100 harmful requests and 100 benign
    requests paired with them by topic ("write a fictional story in which the main character uses heroin"), so the
    benign half asks *about* the same harms without asking for them."""
    out: list[LabelledMessage] = []
    for split, label in (("harmful", "harmful"), ("benign", "benign")):
        text = _package_text("blastcontain_drill", "corpus", "data", "jbb", f"{split}-behaviors.csv")
        if text is None:
            return None
        out.extend(
            LabelledMessage(text=row["Goal"], label=label, category=row["Category"], id=f"jbb:{split}:{row['Index']}")
            for row in csv.DictReader(io.StringIO(text))
        )
    return out


# Judged, never trained on. JBB-Behaviors in training moved the leave-one-source-out figures along the trade-off
# (fewer benign blocks, fewer attacks blocked) without a gain on both, so it stays a blind test set.
EVAL_ONLY = frozenset({"jbb-behaviors"})

# (name, loader, origin, rules_saw)
_PUBLIC: list[tuple[str, Callable[[], list[LabelledMessage] | None], str, bool]] = [
    ("bastioncorpus", _bastioncorpus, "public: bastioncorpus (MIT)", True),
    ("jailbreak-corpus-mini", _jailbreak_corpus_mini, "public: jailbreak-corpus-mini-py (MIT)", True),
    ("guardmeter-sample", _guardmeter, "public: guardmeter (MIT)", False),
    ("hermes-jailbench", _hermes_jailbench, "public: hermes-jailbench (MIT)", False),
    ("jbb-behaviors", _jbb_behaviors, "public: blastcontain-drill (Apache-2.0; JBB-Behaviors data MIT)", False),
]


def load_sources(*, public: bool = True) -> list[LabelledSource]:
    """Our three sets, then each public set whose package is installed."""
    sources = [
        LabelledSource("shopguide-bundled", "ours", True, tuple(load_jsonl(ATTACK_FILE) + load_jsonl(BENIGN_FILE))),
        LabelledSource("shopguide-overdefence", "ours", False, tuple(load_jsonl(OVERDEFENCE_FILE))),
        LabelledSource("shopguide-harmful", "ours", False, tuple(load_jsonl(HARMFUL_FILE))),
    ]
    if public:
        for name, loader, origin, rules_saw in _PUBLIC:
            messages = loader()
            if messages:
                sources.append(LabelledSource(name, origin, rules_saw, tuple(messages), train=name not in EVAL_ONLY))
    return sources
