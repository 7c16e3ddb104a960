"""Writing releases: the Chroma collections and snapshot files of a new release, and the index side of a
live update (re-embedding only products whose text changed, moving a product between shards).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
from chromadb.api import ClientAPI

from .documents import product_document, product_embedding_text, text_changed
from .durable import fsync_dir, fsync_file, private_dir, write_lines
from .embedding import MultilingualUSE
from .errors import KnowledgeError
from .filters import collection_tag, product_metadata
from .layout import BAND_GROUP, docs_collection, plan_layout, price_bounds, shards_for
from .lexical import BM25Index, tokenize
from .live import LiveRelease
from .loaders import LoadedKnowledge
from .models import Product
from .registry import STAGING_PREFIX, ReleaseRegistry
from .release_files import snapshot_digests
from .releases import MANIFEST_FILE, ReleaseManifest, SourceFile

ADD_BATCH = 1024  # rows per Chroma add: bounded memory, few round trips
EMBED_BATCH = 256  # the encoder's throughput flattens above this on 2 cores
Progress = Callable[[str, int, int], None]


def write_release(
    registry: ReleaseRegistry,
    embedder: MultilingualUSE,
    loaded: LoadedKnowledge,
    release_id: str,
    *,
    shard_target: int,
    progress: Progress | None = None,
    created_by: str = "system",
    fail_after_products: int | None = None,
) -> dict[str, float]:
    """Write release ``release_id`` beside the live one (call holding the build lock); returns where the
    time went. The manifest is written last and the staging folder renamed into place in one step, so a
    build that dies half-way leaves nothing that ``release_ids`` lists.
    """
    client: ClientAPI = registry.client
    ef: Any = embedder  # chromadb's EmbeddingFunction generics are wider than ours; same runtime contract
    products = list(loaded.products)
    staging = registry.releases_dir / f"{STAGING_PREFIX}{release_id}"
    shutil.rmtree(staging, ignore_errors=True)
    private_dir(staging)
    bands = price_bounds(products, shard_target)
    layout = plan_layout(release_id, bands, BAND_GROUP)
    collections = {
        s.name: client.create_collection(s.name, embedding_function=ef, metadata={"hnsw:space": "cosine"})
        for s in layout
    }
    texts = [product_document(p) for p in products]
    dense_texts = [product_embedding_text(p) for p in products]
    homes = [shards_for(layout, p) for p in products]
    total = len(products)
    done = 0
    spent = dict.fromkeys(("embed", "chroma_add", "lexical", "files"), 0.0)
    for start in range(0, total, ADD_BATCH):
        batch = range(start, min(total, start + ADD_BATCH))
        mark = time.perf_counter()
        parts = []
        for s in range(batch.start, batch.stop, EMBED_BATCH):
            parts.append(embedder.encode(dense_texts[s : s + EMBED_BATCH]))
            if progress and s + EMBED_BATCH < batch.stop:
                # Embedding is most of a reload: report (and let a cancel stop it) per embedded batch.
                progress("products", s + EMBED_BATCH, total)
        vectors = np.concatenate(parts)
        spent["embed"] += time.perf_counter() - mark
        mark = time.perf_counter()
        groups: dict[str, list[int]] = {}
        for i in batch:
            for name in homes[i]:
                groups.setdefault(name, []).append(i)
        for name, rows in groups.items():
            if rows:
                collections[name].add(
                    ids=[products[i].sku for i in rows],
                    embeddings=cast(Any, vectors[[i - start for i in rows]]),
                    metadatas=cast(Any, [product_metadata(products[i], collection_tag(name)) for i in rows]),
                )
        spent["chroma_add"] += time.perf_counter() - mark
        done = batch.stop
        if progress:
            progress("products", done, total)
        if fail_after_products is not None and done >= fail_after_products:
            raise KnowledgeError(f"build of {release_id} interrupted after {done} products (test hook)")
    docs_col = client.create_collection(
        docs_collection(release_id), embedding_function=ef, metadata={"hnsw:space": "cosine"}
    )
    docs = list(loaded.docs)
    mark = time.perf_counter()
    for start in range(0, len(docs), ADD_BATCH):
        batch_docs = docs[start : start + ADD_BATCH]
        docs_col.add(
            ids=[d.doc_id for d in batch_docs],
            embeddings=cast(Any, embedder.encode([f"{d.title}\n{d.text}" for d in batch_docs])),
            metadatas=[{"kind": d.kind, "language": d.language} for d in batch_docs],
        )
    spent["docs"] = time.perf_counter() - mark
    if progress:
        progress("documents", len(docs), len(docs))
    mark = time.perf_counter()
    lexical = BM25Index.build(tokenize(t) for t in texts)
    lexical.save(staging / "products.bm25.npz")
    fsync_file(staging / "products.bm25.npz")
    spent["lexical"] = time.perf_counter() - mark
    mark = time.perf_counter()
    # Every file is fsynced before the rename that lists the release: a power cut after it cannot
    # leave a listed release with empty files.
    # A field the product does not list is left out, never written as null (see release_files).
    write_lines(staging / "products.jsonl", (p.model_dump_json(exclude_none=True) for p in products))
    write_lines(staging / "docs.jsonl", (d.model_dump_json() for d in docs))
    write_lines(staging / "reviews.jsonl", (r.model_dump_json() for r in loaded.reviews))
    manifest = ReleaseManifest(
        release_id=release_id,
        created_at=time.time(),
        created_by=created_by,
        sources=[SourceFile(path=Path(p).name, sha256=h) for p, h in sorted(loaded.sources.items())],
        counts={"products": len(products), "docs": len(docs), "reviews": len(loaded.reviews)},
        collections=[*collections, docs_col.name],
        price_bands=bands,
        band_group=BAND_GROUP,
        notes=[*loaded.flagged[:50]],
        files=snapshot_digests(staging),
    )
    write_lines(staging / MANIFEST_FILE, [manifest.model_dump_json(indent=2)])
    fsync_dir(staging)
    staging.replace(registry.release_dir(release_id))
    fsync_dir(registry.releases_dir)
    spent["files"] = time.perf_counter() - mark
    if progress:
        progress("indexed", total, total)
    return spent


def upsert_vectors(live: LiveRelease, products: Sequence[Product], embedder: MultilingualUSE) -> None:
    """Put ``products`` into the live release's collections: new or changed text is embedded again, an
    unchanged one keeps its vector; a product whose stock or price moved changes shards."""
    layout = live.layout
    reembed = [p for p in products if p.sku not in live.products or text_changed(live.products[p.sku], p)]
    vectors: dict[str, Any] = {}
    if reembed:
        encoded = embedder.encode([product_embedding_text(p) for p in reembed])
        vectors.update({p.sku: encoded[i] for i, p in enumerate(reembed)})
    for product in products:
        old = live.products.get(product.sku)
        old_shards = set(shards_for(layout, old)) if old else set()
        if product.sku not in vectors:
            source = live.shards[next(iter(old_shards))]
            got = source.get(ids=[product.sku], include=["embeddings"])
            vectors[product.sku] = cast(Any, got["embeddings"])[0]
        new_shards = set(shards_for(layout, product))
        for name in old_shards - new_shards:
            live.shards[name].delete(ids=[product.sku])
        for name in new_shards:
            live.shards[name].upsert(
                ids=[product.sku],
                embeddings=cast(Any, [vectors[product.sku]]),
                metadatas=cast(Any, [product_metadata(product, collection_tag(name))]),
            )
