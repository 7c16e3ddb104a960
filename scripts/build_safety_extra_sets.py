"""Write the over-defence and harmful-request sets (``assistant/safety/data/overdefence.jsonl``, ``harmful.jsonl``)
from the hand-written tables beside this script. Run ``python scripts/build_safety_extra_sets.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "assistant" / "safety" / "data"


def main() -> None:
    sys.path.insert(0, str(HERE))  # the tables are plain modules beside this script, not part of the package
    import safety_sets_harmful as harmful
    import safety_sets_overdefence as overdefence

    rows: list[dict[str, object]] = []
    for lang, table in (("en", overdefence.EN), ("zh", overdefence.ZH)):
        for category, text in table:
            rows.append(
                {
                    "id": f"od-{lang}-{len(rows):03d}",
                    "text": text,
                    "label": "benign",
                    "category": category,
                    "lang": lang,
                }
            )
    _write(DATA / "overdefence.jsonl", rows)
    rows = []
    for lang, table, prefixes in (("en", harmful.EN, harmful.PREFIXES_EN), ("zh", harmful.ZH, harmful.PREFIXES_ZH)):
        for index, (category, text) in enumerate(table):
            rows.append(
                {
                    "id": f"hr-{lang}-{len(rows):03d}",
                    "text": text,
                    "label": "harmful",
                    "category": category,
                    "lang": lang,
                }
            )
            prefixed = prefixes[index % len(prefixes)] + text
            rows.append(
                {
                    "id": f"hr-{lang}-{len(rows):03d}",
                    "text": prefixed,
                    "label": "harmful",
                    "category": f"{category}_behind_product",
                    "lang": lang,
                }
            )
    _write(DATA / "harmful.jsonl", rows)


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote {path.name}: {len(rows)} rows")


if __name__ == "__main__":
    main()
