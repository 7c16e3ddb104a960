"""Calibrate the embedding fallback that maps a shopper's noun to a catalog category.

For each threshold: how many nouns of a kind the shop sells reach the right category (recall), how many
kinds it does not sell are wrongly mapped to one (false maps), and how many sold kinds go to a wrong one.
The shops and nouns (bench/data/category_calibration.json) are in neither the demo catalog nor the tests.

    python bench/bench_category_embedding.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import verdict, write_report

import assistant.vocabulary as vocab
from assistant.vocabulary import CategoryEmbedder
from knowledge.embedding import MultilingualUSE

DATA = Path(__file__).resolve().parent / "data" / "category_calibration.json"
THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7)
TARGET_RECALL = 0.8  # most nouns of a sold kind reach their category...
TARGET_FALSE_MAPS = 0.1  # ...and few kinds the shop does not sell are taken for one it does


USED = vocab.CATEGORY_SIMILARITY


def main() -> None:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    encoder = MultilingualUSE(threads=1)
    embedders = {
        shop: CategoryEmbedder(encoder, {c: [c, vocab._singular(c)] for c in cats})
        for shop, cats in data["shops"].items()
    }
    results: dict[str, dict[str, float]] = {}
    rows = []
    for threshold in THRESHOLDS:  # the module reads its threshold at call time
        vocab.CATEGORY_SIMILARITY = threshold
        right = wrong = false_map = sold = absent = 0
        for shop, noun, gold in data["queries"]:
            found = embedders[shop].nearest([noun])
            got = found[0] if found else None
            if gold is None:
                absent += 1
                false_map += got is not None
            else:
                sold += 1
                right += got == gold
                wrong += got is not None and got != gold
        results[str(threshold)] = {"recall": right / sold, "wrong": wrong / sold, "false_map": false_map / absent}
        chosen = " (used)" if threshold == USED else ""
        rows.append(
            (
                f"threshold {threshold}{chosen}",
                f"{right}/{sold} right",
                f"{false_map}/{absent} absent mapped",
                verdict(right / sold >= TARGET_RECALL and false_map / absent <= TARGET_FALSE_MAPS),
            )
        )
    write_report("category_embedding", rows, {"thresholds": results, "nouns": len(data["queries"])})


if __name__ == "__main__":
    main()
