"""Retrieval quality on the labelled demo query set: Recall@5 and NDCG@10 for dense, BM25 and hybrid.

The hybrid must beat both single retrievers in the same run (issue 4).

    python bench/bench_retrieval.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import verdict, write_report

from knowledge.embedding import MultilingualUSE
from knowledge.evaluation import load_queries, score_mode
from knowledge.loaders import load_directory
from knowledge.store import KnowledgeStore, make_client

DEMO = Path(__file__).resolve().parent.parent / "knowledge" / "data" / "demo"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = KnowledgeStore(make_client("embedded", folder / "chroma"), MultilingualUSE(threads=2), folder)
        store.activate(store.build_release(load_directory(DEMO)))
        queries = load_queries()
        scores = {}
        with store.lease() as live:
            for mode in ("dense", "bm25", "hybrid"):
                started = time.perf_counter()
                scores[mode] = score_mode(store, live, queries, mode)
                scores[mode].by_language["seconds"] = (time.perf_counter() - started, 0.0)
    hybrid = scores["hybrid"]
    rows = []
    for mode, s in scores.items():
        zh, en = s.by_language["zh"], s.by_language["en"]
        rows.append((f"{mode} Recall@5 (zh/en)", f"{s.recall_at_5:.3f}", f"{zh[0]:.3f}/{en[0]:.3f}", "info"))
        rows.append((f"{mode} NDCG@10 (zh/en)", f"{s.ndcg_at_10:.3f}", f"{zh[1]:.3f}/{en[1]:.3f}", "info"))
    beats = all(
        hybrid.recall_at_5 > scores[m].recall_at_5 and hybrid.ndcg_at_10 > scores[m].ndcg_at_10
        for m in ("dense", "bm25")
    )
    rows.append(("hybrid beats dense and bm25", str(beats), "True", verdict(beats)))
    write_report(
        "kb_retrieval",
        rows,
        {
            "queries": len(queries),
            "languages": {lang: sum(q.language == lang for q in queries) for lang in ("zh", "en")},
            "scores": {
                m: {"recall_at_5": s.recall_at_5, "ndcg_at_10": s.ndcg_at_10, "by_language": s.by_language}
                for m, s in scores.items()
            },
        },
    )


if __name__ == "__main__":
    main()
