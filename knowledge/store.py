"""The knowledge store: versioned releases in Chroma, hybrid (dense + BM25) search with hard filters.

Embedded ``PersistentClient`` by default, a Chroma server through ``HttpClient`` for scale. The live release is a
plain Python reference swapped in one assignment, so a query always reads one release; the pointer to it is
persisted with an atomic file rename. Chroma has no aliases and its collection rename is not atomic, which is why
the switch is ours and not Chroma's.

Filter path: Chroma's ``where`` costs time in proportion to the rows each condition matches (measured here: ~50-300
ms at 100k products for a price range or ``stock > 0``, ~2 ms unfiltered). So a release stores its products in
collections partitioned by stock state and, for large catalogs, by equal-count price band. Stock state picks the
collections; a price range picks bands, and only the bands cut by the range carry the price condition in their
``where``, which then scans a few thousand rows at most. Category, brand and attribute conditions always go into
``where``.

This module is the facade; the parts live beside it: ``registry`` (pointer, release folders, build lock),
``indexing`` (writing a release, the index side of live updates), ``documents`` (what is indexed), ``filters``,
``layout`` (shards), ``live`` (a served release), ``hybrid`` (search) and ``refresh`` (following another process's
switch).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from chromadb.api import ClientAPI
from pydantic import ValidationError

from .documents import catalog_fingerprint, model_codes, product_document, product_embedding_text
from .durable import append_record
from .embedding import MultilingualUSE
from .errors import CatalogValidationError, KnowledgeError, KnowledgeStoreCorrupt, ProductNotFound, ReleaseNotFound
from .filters import ProductFilter, collection_tag, metadata_key, product_metadata
from .hybrid import HybridSearch
from .indexing import upsert_vectors, write_release
from .layout import SHARD_TARGET, Shard, docs_collection, passages_collection, plan_layout
from .live import LiveRelease, assemble_release, with_products
from .loaders import LoadedKnowledge
from .models import Product, Review
from .pointer import PointerStore
from .ranking import admitted_rows, facet_release, rank_release
from .refresh import REFRESH_INTERVAL_S, PointerWatch
from .registry import (
    DEFAULT_KEEP_RELEASES,
    POINTER_FILE,
    RELEASES_DIR,
    STAGING_PREFIX,
    ReleaseRegistry,
    forget_embedded_client,
    make_client,
    new_release_id,
)
from .release_files import REPAIR_HINT, UPDATES_FILE, read_snapshot
from .release_models import carry_models, store_model
from .releases import ReleaseManifest
from .search import CatalogFacets, PassageHit, ProductHit, ProductQuery, RankedProducts

__all__ = [
    "DEFAULT_KEEP_RELEASES",
    "POINTER_FILE",
    "REFRESH_INTERVAL_S",
    "RELEASES_DIR",
    "STAGING_PREFIX",
    "KnowledgeStore",
    "LiveRelease",
    "ProductFilter",
    "Shard",
    "catalog_fingerprint",
    "collection_tag",
    "forget_embedded_client",
    "make_client",
    "metadata_key",
    "model_codes",
    "new_release_id",
    "passages_collection",
    "product_document",
    "product_embedding_text",
    "product_metadata",
]

Lang = Literal["zh", "en"]
Progress = Callable[[str, int, int], None]


class KnowledgeStore:
    """Read and write access to Chroma releases; implements the assistant's ``Retriever`` port."""

    def __init__(
        self,
        client: ClientAPI,
        embedder: MultilingualUSE,
        pointer_dir: Path,
        *,
        keep_releases: int = DEFAULT_KEEP_RELEASES,
        shard_target: int = SHARD_TARGET,
        pointer: PointerStore | None = None,
    ) -> None:
        self._client = client
        self._embedder = embedder
        # chromadb's EmbeddingFunction generics are wider than ours; the runtime contract is the same.
        self._ef: Any = embedder
        self._dir = pointer_dir
        self.registry = ReleaseRegistry(client, pointer_dir, pointer)
        self.search = HybridSearch(client, embedder)
        self._watch = PointerWatch(self.registry, self._follow_pointer_locked)
        # Told of another process's switch at once where the pointer store can tell (Postgres); polled anyway.
        self.notified = self.registry.pointer.watch(self._watch.wake)
        self._write_lock = threading.RLock()
        self._lease_lock = threading.Lock()
        self._live: LiveRelease | None = None
        self.keep_releases = max(1, keep_releases)
        self._shard_target = max(1, shard_target)
        self._attached: dict[str, LiveRelease] = {}
        self.last_build_seconds: dict[str, float] = {}  # where the last build spent its time
        self._listeners: list[Callable[[str], None]] = []
        self._readers: dict[str, int] = {}
        self._retired: set[str] = set()
        # Why the persisted live release could not be opened (None: it opened, or there is none yet).
        self.damage: KnowledgeError | None = None

    # ---- lifecycle -------------------------------------------------------------------------
    @property
    def live(self) -> LiveRelease:
        live = self._live
        if live is None:
            if self.damage is not None:
                raise self.damage
            raise KnowledgeError("no live knowledge release", hint="run `shopguide kb reload PATH`")
        return live

    def close(self) -> None:
        """Stop listening for other processes' switches (the pointer store's connection, if it has one)."""
        self.registry.pointer.close()

    @property
    def has_live(self) -> bool:
        return self._live is not None

    @property
    def data_dir(self) -> Path:
        return self._dir

    @property
    def client(self) -> ClientAPI:
        return self._client

    @property
    def _embed_query(self) -> Any:  # the cached query encoder (benches clear it to time the uncached path)
        return self.search.embed_query

    def pointer_release_id(self) -> str | None:
        """The release the persisted pointer names, readable or not (None: no pointer, or it is damaged)."""
        return self.registry.pointer_release_id()

    def _write_pointer(self, release_id: str, history: list[str], revision: int) -> None:
        self._watch.stamp = self.registry.write_pointer(release_id, history, revision)
        self.damage = None

    def open_live(self) -> bool:
        """Attach to the release the pointer names; False when there is none or it is damaged (kept in ``damage``
        and not raised, so the commands that repair it, ``kb reload``/``rollback``/``doctor``, can open the store)."""
        self.damage = None
        if not self.registry.has_pointer():
            return False
        try:
            pointer = self.registry.read_pointer()
            self._watch.stamp = self.registry.pointer_stamp() or 0
            release_id = str(pointer["release_id"])
            if release_id not in self.release_ids():
                raise KnowledgeStoreCorrupt(f"the live release {release_id} is missing", hint=REPAIR_HINT)
            live = self._attach(release_id)
        except KnowledgeError as exc:
            self.damage = exc
            return False
        live.revision = int(pointer.get("revision", 0))
        self.warm(live)
        self._live = live
        return True

    def warm(self, live: LiveRelease) -> None:
        """Query every collection once, so no shopper's query pays for loading an index from disk."""
        self.search.warm(live)

    def history(self) -> list[str]:
        """Previously live releases, most recent first (rollback targets)."""
        return self.registry.history()

    def manifest(self, release_id: str) -> ReleaseManifest:
        return self.registry.manifest(release_id)

    def release_ids(self) -> list[str]:
        """Finished releases (those with a manifest), oldest first."""
        return self.registry.release_ids()

    def _attach(self, release_id: str) -> LiveRelease:
        cached = self._attached.get(release_id)
        if cached is not None:
            return cached
        manifest = self.manifest(release_id)
        snapshot = read_snapshot(self.registry.release_dir(release_id), manifest.files)
        try:
            layout = plan_layout(manifest.release_id, manifest.price_bands, manifest.band_group)
            shards = {s.name: self._client.get_collection(s.name, embedding_function=self._ef) for s in layout}
            docs_col = self._client.get_collection(docs_collection(release_id), embedding_function=self._ef)
        except Exception as exc:  # chromadb: NotFoundError, InternalError for a damaged index, ...
            raise KnowledgeStoreCorrupt(
                f"release {release_id}: its index in Chroma cannot be opened: {exc}", hint=REPAIR_HINT
            ) from exc
        reviews: dict[str, list[Review]] = {}
        for review in snapshot.reviews:
            reviews.setdefault(review.sku, []).append(review)
        live = assemble_release(
            manifest, layout, shards, docs_col, snapshot.products, reviews, snapshot.docs, snapshot.lexical
        )
        if snapshot.updates:
            live = with_products(live, snapshot.updates)
        return live

    def collect_garbage(self) -> list[str]:
        """Remove what a crashed build left behind: staging folders and collections without a manifest."""
        return self.registry.collect_garbage()

    def _collection_names(self) -> list[str]:
        return self.registry.collection_names()

    def build_release(
        self,
        loaded: LoadedKnowledge,
        *,
        release_id: str | None = None,
        progress: Progress | None = None,
        created_by: str = "system",
        fail_after_products: int | None = None,
    ) -> str:
        """Write a new release beside the live one, not served until ``activate``. A build that dies half-way leaves
        nothing ``release_ids`` lists (``collect_garbage`` removes it); ``fail_after_products``: tests and bench."""
        release_id = release_id or new_release_id()
        with self._write_lock, self.registry.build_lock():
            self.last_build_seconds = write_release(
                self.registry,
                self._embedder,
                loaded,
                release_id,
                shard_target=self._shard_target,
                progress=progress,
                created_by=created_by,
                fail_after_products=fail_after_products,
            )
        return release_id

    def record_gate(self, release_id: str, accuracy: float) -> None:
        self.registry.record_gate(release_id, accuracy)

    def activate(self, release_id: str) -> None:
        """Serve ``release_id``: one reference swap, then persist the pointer. Queries already running keep the
        release they started with; the old release's collections go only when pruned and its last reader is done."""
        with self._write_lock:
            old = self._live
            # A new build starts with the live models; a release that was live before (a rollback) keeps its own.
            if old and release_id not in self.history() and carry_models(self.registry, old.manifest, release_id):
                self._attached.pop(release_id, None)  # attach again: its manifest names the carried models
            new = self._attach(release_id)
            self.warm(new)
            history = [r for r in self.history() if r != release_id]
            if old is not None and old.release_id != release_id:
                history.insert(0, old.release_id)
            revision = (old.revision + 1) if old is not None else 0
            new.revision = revision
            self._attached[release_id] = new
            self._live = new  # the switch: one assignment
            self._write_pointer(release_id, history[: self.keep_releases], revision)
        self.prune()
        self._notify(release_id)

    def rollback(self, release_id: str | None = None) -> str:
        """Serve the previous release again (or ``release_id``). Its collections still exist, so this is instant."""
        history = self.history()
        target = release_id or (history[0] if history else None)
        if target is None:
            raise ReleaseNotFound("no previous release to roll back to", hint="`shopguide kb status` lists releases")
        if target not in self.release_ids():
            raise ReleaseNotFound(f"no release {target}", hint="`shopguide kb status` lists the kept releases")
        self.activate(target)
        return target

    def prune(self) -> list[str]:
        """Drop releases that are neither live nor among the kept rollback targets.

        A release newer than the live one that was never live may be another process's candidate,
        built and now being gated: it is left alone (the next switch past it prunes it).
        """
        live_id = self._live.release_id if self._live else None
        keep = {live_id, *self.history()[: self.keep_releases]}
        dropped = []
        for release_id in self.release_ids():
            if release_id not in keep and (live_id is None or release_id < live_id):
                self.drop_release(release_id)
                dropped.append(release_id)
        return dropped

    def drop_release(self, release_id: str) -> None:
        """Delete a release; if queries are still reading it, the delete waits for the last one."""
        if self._live is not None and self._live.release_id == release_id:
            raise KnowledgeError(f"release {release_id} is live", hint="activate another release first")
        self._attached.pop(release_id, None)
        with self._lease_lock:
            if self._readers.get(release_id, 0) > 0:
                self._retired.add(release_id)  # the last reader's lease exit deletes it
                return
        self._delete_release_storage(release_id)

    def _delete_release_storage(self, release_id: str) -> None:
        self.search.passages.forget(passages_collection(release_id))
        self.registry.delete_storage(release_id)

    @contextlib.contextmanager
    def lease(self, release_id: str | None = None) -> Iterator[LiveRelease]:
        """The live release (or a named one), held so pruning does not delete it while in use."""
        self._watch.poll()
        if release_id is None:
            with self._lease_lock:
                live = self.live
                self._readers[live.release_id] = self._readers.get(live.release_id, 0) + 1
        else:
            live = self._attached.get(release_id) or self._attach(release_id)
            self._attached.setdefault(release_id, live)
            with self._lease_lock:
                self._readers[release_id] = self._readers.get(release_id, 0) + 1
        try:
            yield live
        finally:
            with self._lease_lock:
                left = self._readers[live.release_id] - 1
                self._readers[live.release_id] = left
                delete = left == 0 and live.release_id in self._retired
                if delete:
                    self._retired.discard(live.release_id)
            if delete:
                self._delete_release_storage(live.release_id)

    def subscribe(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(release_id)`` after every switch or live update, including another process's."""
        self._listeners.append(listener)

    def _notify(self, release_id: str) -> None:
        for listener in list(self._listeners):
            with contextlib.suppress(Exception):  # a listener's failure must not undo the switch
                listener(release_id)

    # ---- cross-process refresh (``knowledge.refresh`` polls; this follows) --------------------
    def _follow_pointer(self) -> None:
        """Serve what the persisted pointer names, if another process moved it (call with the write lock)."""
        pointer = self.registry.read_pointer()
        release_id = str(pointer["release_id"])
        revision = int(pointer.get("revision", 0))
        current = self._live
        if current is None or current.release_id != release_id or current.revision != revision:
            self._attached.pop(release_id, None)
            fresh = self._attach(release_id)
            fresh.revision = revision
            self._attached[release_id] = fresh
            self._live = fresh
            self._notify(release_id)

    def _follow_pointer_locked(self) -> None:
        with self._write_lock:
            self._follow_pointer()

    # ---- live updates ----------------------------------------------------------------------
    def set_stock(self, sku: str, stock: int, *, who: str = "system") -> Product:
        """Change one product's stock in the live release; the next query sees it."""
        live = self.live
        product = live.products.get(sku.strip().upper())
        if product is None:
            raise ProductNotFound(f"no product {sku.strip().upper()} in the live release", hint="check the SKU")
        try:
            updated = Product.model_validate({**product.model_dump(), "stock": stock})
        except ValidationError as exc:
            raise CatalogValidationError(
                f"stock {stock} rejected: {exc.errors()[0]['msg']}", [], hint="give the units on hand"
            ) from exc
        self.upsert([updated])
        return updated

    def upsert(self, products: Sequence[Product]) -> int:
        """Add or replace products in the live release without a rebuild; the next query sees them."""
        if not products:
            return 0
        # One writer across processes: two CLI upserts, or an upsert beside the bot, must not interleave
        # their log records or both claim the next revision.
        with self._write_lock, self.registry.build_lock():
            if self.registry.has_pointer():
                with contextlib.suppress(KnowledgeError):  # damaged: ``self.live`` below says so
                    self._follow_pointer()
            live = self.live
            upsert_vectors(live, products, self._embedder)
            # One fsynced record per upsert; a crash mid-write leaves a torn last line, which readers
            # ignore and the next append cuts off (that upsert was never acknowledged).
            append_record(
                self.registry.release_dir(live.release_id) / UPDATES_FILE,
                "".join(p.model_dump_json(exclude_none=True) + "\n" for p in products),
            )
            fresh = with_products(live, products)
            fresh.revision = live.revision + 1
            self._attached[live.release_id] = fresh
            self._live = fresh
            self._write_pointer(live.release_id, self.history(), fresh.revision)
        self._notify(live.release_id)
        return len(products)

    # ---- trained models stored with the release (``knowledge.release_models``) ----------------
    def publish_model(self, name: str, write: Callable[[Path], object]) -> str:
        """Store a new version of model ``name`` (``write(folder)`` fills it) with the live release and serve
        it; every serving process follows, as after a live update. Returns the version."""
        with self._write_lock, self.registry.build_lock():
            if self.registry.has_pointer():
                with contextlib.suppress(KnowledgeError):  # damaged: ``self.live`` below says so
                    self._follow_pointer()
            live = self.live
            manifest = store_model(self.registry, self.manifest(live.release_id), name, write)
            fresh = replace(live, manifest=manifest, revision=live.revision + 1)
            self._attached[live.release_id] = fresh
            self._live = fresh
            self._write_pointer(live.release_id, self.history(), fresh.revision)
        self._notify(live.release_id)
        return manifest.models[name]

    # ---- Retriever port --------------------------------------------------------------------
    def search_products(self, query: ProductQuery) -> list[ProductHit]:
        """Hybrid search: exact codes first, then dense and BM25 fused by reciprocal rank."""
        with self.lease() as live:
            return self.search.products(live, query)

    def match(self, query: ProductQuery) -> RankedProducts:
        """The products the query's hard filters admit, best first: in ``query.sort`` order when it is
        set, else by relevance to ``query.text`` (hybrid search), topped up to ``query.min_in_stock``
        products in stock (cheapest first) when the relevant ones are too few. One call, one release."""
        if query.sort is not None:
            return self.rank_products(query)
        with self.lease() as live:
            rows = admitted_rows(
                live.order, live.products, live.mask(ProductFilter.from_query(query)), query.prefer_use
            )
            use = query.prefer_use
            if use and not any(use in live.products[live.order[int(r)]].uses for r in rows):
                use = None  # nothing admitted is made for it: the use narrows nothing
            found = [h.product for h in self.search.products(live, query) if use is None or use in h.product.uses]
            if sum(p.in_stock for p in found) < query.min_in_stock:
                # Search ranks by text; a match it did not rank still qualifies, one in stock before any other.
                for in_stock in (True, False):
                    seen = {p.sku for p in found}
                    fill = replace(query, in_stock_only=in_stock, k=query.min_in_stock)
                    mask = live.mask(ProductFilter.from_query(fill))
                    more = rank_release(live.order, live.products, live.prices, live.stocks, live.reviews, mask, fill)
                    found.extend(p for p in more.products if p.sku not in seen and (use is None or use in p.uses))
            return RankedProducts(products=found, total=len(rows), leaders=frozenset(), sortable=True)

    def rank_products(self, query: ProductQuery) -> RankedProducts:
        """The top products in ``query.sort`` order among those the query's hard filters admit."""
        with self.lease() as live:
            mask = live.mask(ProductFilter.from_query(query))
            return rank_release(live.order, live.products, live.prices, live.stocks, live.reviews, mask, query)

    def facets(self, query: ProductQuery) -> CatalogFacets:
        """Category, use, brand and price counts of the products the query's hard filters admit."""
        with self.lease() as live:
            return facet_release(live.order, live.products, live.mask(ProductFilter.from_query(query)), query)

    def search_release(
        self, live: LiveRelease, query: ProductQuery, mode: Literal["hybrid", "dense", "bm25"] = "hybrid"
    ) -> list[ProductHit]:
        return self.search.products(live, query, mode)

    def search_docs(self, text: str, language: Lang, k: int = 3) -> list[PassageHit]:
        with self.lease() as live:
            return self.search.docs(live, text, language, k)

    def search_release_docs(self, live: LiveRelease, text: str, language: Lang, k: int = 3) -> list[PassageHit]:
        return self.search.docs(live, text, language, k)

    def get_products(self, skus: Sequence[str]) -> list[Product]:
        live = self.live
        return [live.products[s.strip().upper()] for s in skus if s.strip().upper() in live.products]

    def all_products(self) -> Sequence[Product]:
        return list(self.live.products.values())

    def search_product_passages(self, sku: str, text: str, language: Lang, k: int = 3) -> list[PassageHit]:
        """The passages of one product's own text (and its reviews) that best answer ``text``."""
        with self.lease() as live:
            return self.search.product_passages(live, sku, text, language, k)

    def reviews_for(self, sku: str) -> list[Review]:
        return list(self.live.reviews.get(sku.upper(), []))
