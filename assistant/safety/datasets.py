"""Labelled message sets for the safety evaluation: the bundled attack/benign sets and shops' own JSONL files."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.errors import ShopguideError

from .classifier import DATA_DIR

__all__ = ["ATTACK_FILE", "BENIGN_FILE", "LABELS", "DatasetInvalid", "LabelledMessage", "load_bundled", "load_jsonl"]

ATTACK_FILE = DATA_DIR / "attacks.jsonl"
BENIGN_FILE = DATA_DIR / "benign.jsonl"
LABELS = ("benign", "injection", "harmful", "off_topic")


class DatasetInvalid(ShopguideError):
    """A labelled set has rows that cannot be scored; ``problems`` lists ``file:line: reason``."""

    code = "safety_dataset_invalid"

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(
            message, hint='rows look like {"text": "...", "label": "injection|harmful|benign", "lang": "en"}'
        )
        self.problems = problems


@dataclass(frozen=True)
class LabelledMessage:
    text: str
    label: str
    lang: str = "en"
    category: str = ""
    split: str = "test"
    history: tuple[str, ...] = field(default_factory=tuple)
    id: str = ""

    @property
    def is_attack(self) -> bool:
        return self.label != "benign"

    @property
    def joined(self) -> str:
        """History and message as one text (how split-turn attacks are judged)."""
        return "\n".join((*self.history, self.text))


def load_jsonl(path: Path) -> list[LabelledMessage]:
    """Rows ``{"text", "label", "lang"}`` (optional ``category``, ``split``, ``history``, ``id``)."""
    messages: list[LabelledMessage] = []
    problems: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{path}:{line_no}: not valid JSON ({exc.msg})")
                continue
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                problems.append(f"{path}:{line_no}: needs a string 'text'")
                continue
            label = row.get("label")
            if label not in LABELS:
                problems.append(f"{path}:{line_no}: label must be one of {', '.join(LABELS)}, got {label!r}")
                continue
            lang = "zh" if row.get("lang") == "zh" else "en"
            history = row.get("history") or []
            messages.append(
                LabelledMessage(
                    text=row["text"],
                    label=label,
                    lang=lang,
                    category=str(row.get("category") or label),
                    split=str(row.get("split") or "test"),
                    history=tuple(str(h) for h in history) if isinstance(history, list) else (),
                    id=str(row.get("id") or f"{path.name}:{line_no}"),
                )
            )
    if problems:
        raise DatasetInvalid(f"{len(problems)} bad row(s) in {path}", problems)
    return messages


def load_bundled() -> list[LabelledMessage]:
    return load_jsonl(ATTACK_FILE) + load_jsonl(BENIGN_FILE)
