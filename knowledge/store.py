"""The knowledge store: versioned releases in Chroma, hybrid (dense + BM25) search with hard filters.

Embedded ``PersistentClient`` by default, a Chroma server through ``HttpClient`` for scale. The live
release is a plain Python reference swapped in one assignment, so a query always reads one release;
the pointer to it is persisted with an atomic file rename. Chroma has no aliases and its collection
rename is not atomic, which is why the switch is ours and not Chroma's.

Filter path: Chroma's ``where`` costs time in proportion to the rows each condition matches (measured
here: ~50-300 ms at 100k products for a price range or ``stock > 0``, ~2 ms unfiltered). So a release
stores its products in collections partitioned by stock state and, for large catalogs, by equal-count
price band. Stock state picks the collections; a price range picks bands, and only the bands cut by
the range carry the price condition in their ``where``, which then scans a few thousand rows at most.
Category, brand and attribute conditions always go into ``where``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, cast

import chromadb
import numpy as np
import numpy.typing as npt
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import QueryResult
from pydantic import ValidationError

from .durable import (
    PRIVATE_FILE_MODE,
    append_record,
    fsync_dir,
    fsync_file,
    private_dir,
    write_lines,
    write_text_atomic,
)
from .embedding import EMBEDDING_DIM, MultilingualUSE
from .errors import (
    CatalogValidationError,
    KnowledgeError,
    KnowledgeStoreCorrupt,
    ProductNotFound,
    ReleaseNotFound,
)
from .lexical import BM25Index, tokenize
from .loaders import LoadedKnowledge
from .models import AttributeValue, KnowledgeDoc, Product, Review
from .passages import ProductPassageIndex, without_name
from .ranking import facet_release, rank_release
from .release_files import REPAIR_HINT, UPDATES_FILE, read_manifest, read_snapshot, snapshot_digests
from .releases import MANIFEST_FILE, ReleaseManifest, SourceFile
from .search import CatalogFacets, PassageHit, ProductHit, ProductQuery, RankedProducts

ADD_BATCH = 1024  # rows per Chroma add: bounded memory, few round trips
EMBED_BATCH = 256  # the encoder's throughput flattens above this on 2 cores
# Description lead embedded per language; Chinese carries about three times the meaning per character.
EMBED_DESCRIPTION_CHARS = 120
EMBED_DESCRIPTION_ZH_CHARS = 40
QUERY_CACHE_SIZE = 1024
POINTER_FILE = "live_release.json"
RELEASES_DIR = "releases"
BUILD_LOCK_FILE = ".build.lock"
STAGING_PREFIX = ".building-"
COLLECTION_PREFIX = "sg-"
ATTR_PREFIX = "attr_"
# Band size: the price condition on the band a range cuts costs ~4-7 us per matching row (measured),
# so ~2,000 rows keep it near 5 ms; an unfiltered query of any one collection costs ~1.1 ms.
SHARD_TARGET = 2000
# Bands are also stored in groups of this many, so a wide price range is a few group queries, not 30+
# band queries. Costs one more copy of each product, only for catalogs of more than 8 bands.
BAND_GROUP = 8
# Reciprocal rank fusion constant from Cormack et al. (2009); 60 is the value the paper found robust.
RRF_K = 60
# Per-list weights in the fusion. Lexical evidence is weighted higher because catalog queries reuse the
# catalog's own words (names, specs); chosen on the labelled demo set (bench/bench_retrieval.py), where
# equal weights lost Recall@5 to BM25 alone and 0.5-0.7 for dense beat both lists on both metrics.
DENSE_WEIGHT = 0.6
LEXICAL_WEIGHT = 1.0
# Dense and lexical candidate depth before fusion; deeper lists cost latency and rarely change the top 10.
CANDIDATES_PER_LIST = 30
EXACT_MATCH_SCORE = 1000.0
DEFAULT_KEEP_RELEASES = 3
# How often a serving process looks at the pointer file for releases or updates made by another process.
REFRESH_INTERVAL_S = 1.0
# Same-language passages first: the model answers better from text in the reply language.
SAME_LANGUAGE_BONUS = 0.05
MODEL_CODE_ATTRIBUTES = ("model", "model_number", "mpn", "sku_alias")
_CODE_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-_./][A-Za-z0-9]+)+|[A-Za-z0-9]*(?:[A-Za-z][0-9]|[0-9][A-Za-z])[A-Za-z0-9]*")
# Quantities with a unit ("512GB", "20L", "5000mAh") are specs many products share, never model numbers.
_MEASURE = re.compile(r"^\d+(?:\.\d+)?(?:gb|tb|mb|ml|l|mm|cm|m|kg|g|w|mah|mp|hz|k|atm|inch|in|h)$", re.IGNORECASE)
# A model number names one product or a few variants of it (sizes, colours); more is a family name.
MAX_PRODUCTS_PER_CODE = 3
Lang = Literal["zh", "en"]
StockState = Literal["in", "out"]
STOCK_STATES: tuple[StockState, ...] = ("in", "out")
Progress = Callable[[str, int, int], None]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProductFilter:
    category: str | None = None
    brand: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    in_stock_only: bool = False
    attributes: dict[str, AttributeValue] = field(default_factory=dict)

    @classmethod
    def from_query(cls, query: ProductQuery) -> ProductFilter:
        return cls(
            category=query.category,
            brand=query.brand,
            price_min=query.price_min,
            price_max=query.price_max,
            in_stock_only=query.in_stock_only,
            attributes=dict(query.attributes),
        )

    def conditions(self, *, price: bool = True, stock: bool = True, tag: str | None = None) -> list[dict[str, Any]]:
        """Chroma conditions; ``tag`` names the collection-specific metadata keys (see ``metadata_key``)."""
        out: list[dict[str, Any]] = []
        if self.category:
            out.append({metadata_key("category", tag): self.category})
        if self.brand:
            out.append({metadata_key("brand", tag): self.brand})
        if price and self.price_min is not None:
            out.append({metadata_key("price", tag): {"$gte": float(self.price_min)}})
        if price and self.price_max is not None:
            out.append({metadata_key("price", tag): {"$lte": float(self.price_max)}})
        if stock and self.in_stock_only:
            out.append({metadata_key("stock", tag): {"$gt": 0}})
        for key, value in self.attributes.items():
            out.append({metadata_key(ATTR_PREFIX + key, tag): value})
        return out

    def to_where(self) -> dict[str, Any] | None:
        """Chroma ``where`` clause: filters run inside the index query, not after it."""
        return _where(self.conditions())

    def matches(self, product: Product) -> bool:
        """The same filter in Python, for facet counts over the in-memory catalog."""
        if self.category and product.category != self.category:
            return False
        if self.brand and product.brand != self.brand:
            return False
        # A product without a listed price is never inside a budget; without stock data never "in stock".
        if self.price_min is not None and (product.price is None or product.price < self.price_min):
            return False
        if self.price_max is not None and (product.price is None or product.price > self.price_max):
            return False
        if self.in_stock_only and not product.in_stock:
            return False
        return all(product.attributes.get(k) == v for k, v in self.attributes.items())


def _where(conditions: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}


def product_document(product: Product) -> str:
    """Text embedded and indexed for a product: both languages, so zh and en queries match."""
    attrs = " ".join(f"{k.replace('_', ' ')} {v}" for k, v in product.attributes.items() if not isinstance(v, bool))
    flags = " ".join(k.replace("_", " ") for k, v in product.attributes.items() if v is True)
    return " | ".join(
        part
        for part in (
            product.name,
            product.name_zh,
            product.brand,
            product.category.replace("_", " "),
            " ".join(product.uses),
            flags,
            attrs,
            product.description,
            product.description_zh,
        )
        if part
    )


def _lead(text: str, limit: int) -> str:
    """The first sentence of a description, cut at ``limit`` characters."""
    first = re.split(r"(?<=[.!?。！？；;])", text.strip(), maxsplit=1)[0]
    return first[:limit]


def product_embedding_text(product: Product) -> str:
    """The shorter text the dense encoder sees: names, kind, uses and the lead of each description.

    The encoder's cost grows with text length (the full document embeds ~3x slower), and the details
    it would add (numbers, materials) are what BM25 over the full document matches better anyway.
    """
    flags = " ".join(k.replace("_", " ") for k, v in product.attributes.items() if v is True)
    return " | ".join(
        part
        for part in (
            product.name,
            product.name_zh,
            product.category.replace("_", " "),
            " ".join(product.uses),
            flags,
            _lead(product.description, EMBED_DESCRIPTION_CHARS),
            _lead(product.description_zh, EMBED_DESCRIPTION_ZH_CHARS),
        )
        if part
    )


def metadata_key(field: str, tag: str | None) -> str:
    """``price`` -> ``price__1a2b3c4d`` for the collection tagged ``1a2b3c4d``.

    Chroma keeps the metadata of every collection in one SQLite table indexed by (key, value), so a
    condition on a shared key such as ``price`` scans the matching rows of all collections, every kept
    release and every shard included (measured: ~470 ms for ``price <= 300`` in a 100k store). A key of
    its own per collection confines the scan to that collection's rows.
    """
    return f"{field}__{tag}" if tag else field


def collection_tag(name: str) -> str:
    return hashlib.blake2s(name.encode(), digest_size=4).hexdigest()


def product_metadata(product: Product, tag: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "sku": product.sku,
        metadata_key("category", tag): product.category,
        metadata_key("brand", tag): product.brand,
    }
    # A field the catalog does not list is left out: a price or stock condition then never admits it.
    if product.price is not None:
        meta[metadata_key("price", tag)] = float(product.price)
    if product.stock is not None:
        meta[metadata_key("stock", tag)] = int(product.stock)
    for key, value in product.attributes.items():
        meta[metadata_key(ATTR_PREFIX + key, tag)] = value
    return meta


def model_codes(product: Product) -> set[str]:
    """Codes a shopper may type to mean exactly this product: the SKU and model numbers in its name."""
    codes = {product.sku.lower()}
    texts = [product.name, *(str(product.attributes.get(a, "")) for a in MODEL_CODE_ATTRIBUTES)]
    for text in texts:
        codes.update(m.lower() for m in _CODE_TOKEN.findall(text) if len(m) >= 4 and not _MEASURE.match(m))
    return codes


def skus_lower(skus: Sequence[str]) -> set[str]:
    return {s.lower() for s in skus}


def stock_state(product: Product) -> StockState:
    return "in" if product.in_stock else "out"  # unknown stock is not "in": in-stock-only skips it


def make_client(
    mode: Literal["embedded", "server"], path: Path, host: str = "127.0.0.1", port: int = 8000
) -> ClientAPI:
    try:
        if mode == "server":
            return chromadb.HttpClient(host=host, port=port)
        private_dir(path)
        return chromadb.PersistentClient(path=str(path))
    except Exception as exc:  # chromadb raises a variety of errors for a damaged directory
        forget_embedded_client(path)
        if mode == "server":
            raise KnowledgeStoreCorrupt(
                f"cannot reach the Chroma server at {host}:{port}: {exc}", hint="start it, or check host and port"
            ) from exc
        raise KnowledgeStoreCorrupt(
            f"cannot open the Chroma store at {path}: {exc}",
            hint="run `shopguide kb doctor --repair`: it moves the damaged index aside and rebuilds the live "
            "release from its saved snapshot (after it, `shopguide kb reload` works again)",
        ) from exc


def new_release_id() -> str:
    """Sortable by time, unique across processes building at the same second."""
    return time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]


def forget_embedded_client(path: Path) -> None:
    """Drop chromadb's per-process cache entry for ``path``.

    chromadb keeps one system per persist directory per process, and keeps it even when starting it
    failed; without this, every later open of the same path in this process (the repair right after
    the failed open) gets the broken system back.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(str(path), None)
    SharedSystemClient._identifier_to_refcount.pop(str(path), None)


@dataclass(frozen=True)
class Shard:
    """One Chroma collection of a release: a stock state and a price interval ``(low, high]``."""

    name: str
    state: StockState
    low: float | None  # exclusive; None = unbounded
    high: float | None  # inclusive; None = unbounded
    whole: bool  # holds every product of its stock state
    bands: tuple[int, ...] = ()  # price bands it holds: one for a band, a run of them for a group


@dataclass
class LiveRelease:
    """Everything one release serves. Replaced as a whole on any change, never mutated in place."""

    release_id: str
    manifest: ReleaseManifest
    shards: dict[str, Collection]
    layout: list[Shard]
    docs_collection: Collection
    products: dict[str, Product]
    reviews: dict[str, list[Review]]
    docs: list[KnowledgeDoc]
    order: list[str]  # lexical document index -> sku
    lexical: BM25Index
    docs_lexical: BM25Index
    prices: npt.NDArray[np.float64]
    stocks: npt.NDArray[np.int64]
    codes: dict[str, list[str]]
    revision: int = 0

    @property
    def products_collection(self) -> Collection:
        """The collection of in-stock products (kept for callers of the single-collection store)."""
        whole = [s for s in self.layout if s.state == "in" and s.whole]
        return self.shards[whole[0].name]


def _price_bounds(products: Sequence[Product], target: int) -> dict[str, list[float]]:
    """Upper price bound of each equal-count band, per stock state (none when one collection suffices)."""
    bands: dict[str, list[float]] = {}
    for state in STOCK_STATES:
        prices = sorted(p.price for p in products if stock_state(p) == state and p.price is not None)
        if len(prices) <= target:
            bands[state] = []
            continue
        n_bands = -(-len(prices) // target)
        bands[state] = sorted({prices[(i * len(prices)) // n_bands - 1] for i in range(1, n_bands)})
    return bands


def _layout(release_id: str, bounds_by_state: dict[str, list[float]], group: int) -> list[Shard]:
    """Collections of a release: per stock state the whole set, its price bands and groups of bands."""
    layout: list[Shard] = []
    for state in STOCK_STATES:
        bounds = bounds_by_state.get(state, [])
        base = f"{COLLECTION_PREFIX}{release_id}-{state}"
        layout.append(Shard(base + "-all" if bounds else base, state, None, None, True))
        if not bounds:
            continue
        edges: list[float | None] = [None, *bounds, None]
        count = len(edges) - 1
        for i in range(count):
            layout.append(Shard(f"{base}-b{i:02d}", state, edges[i], edges[i + 1], False, (i,)))
        if group and count > group:
            for g, first in enumerate(range(0, count, group)):
                last = min(count, first + group) - 1
                members = tuple(range(first, last + 1))
                layout.append(Shard(f"{base}-g{g:02d}", state, edges[first], edges[last + 1], False, members))
    return layout


def _shards_for(layout: list[Shard], product: Product) -> list[str]:
    state = stock_state(product)
    names = []
    for shard in layout:
        if shard.state != state:
            continue
        price = product.price
        if shard.whole or (
            price is not None
            and (shard.low is None or price > shard.low)
            and (shard.high is None or price <= shard.high)
        ):
            names.append(shard.name)  # a product without a price lives in its state's whole shard only
    return names


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
    ) -> None:
        self._client = client
        self._embedder = embedder
        # chromadb's EmbeddingFunction generics are wider than ours; the runtime contract is the same.
        self._ef: Any = embedder
        self._dir = pointer_dir
        self._pointer_path = pointer_dir / POINTER_FILE
        self._releases_dir = pointer_dir / RELEASES_DIR
        self._write_lock = threading.RLock()
        self._lease_lock = threading.Lock()
        self._live: LiveRelease | None = None
        self._embed_query = lru_cache(maxsize=QUERY_CACHE_SIZE)(self._embed_one)
        self.keep_releases = max(1, keep_releases)
        self._shard_target = max(1, shard_target)
        self._pointer_stamp: int = 0
        self._last_refresh = 0.0
        self._refreshing = False
        self._attached: dict[str, LiveRelease] = {}
        self.last_build_seconds: dict[str, float] = {}  # where the last build spent its time
        self._listeners: list[Callable[[str], None]] = []
        self._readers: dict[str, int] = {}
        self._retired: set[str] = set()
        self._passages = ProductPassageIndex(client, embedder)
        # Why the persisted live release could not be opened (None: it opened, or there is none yet).
        self.damage: KnowledgeError | None = None
        self._damaged_collections: set[str] = set()  # logged once each; searches fall back to BM25

    # ---- lifecycle -------------------------------------------------------------------------
    @property
    def live(self) -> LiveRelease:
        live = self._live
        if live is None:
            if self.damage is not None:
                raise self.damage
            raise KnowledgeError("no live knowledge release", hint="run `shopguide kb reload PATH`")
        return live

    @property
    def has_live(self) -> bool:
        return self._live is not None

    @property
    def data_dir(self) -> Path:
        return self._dir

    @property
    def client(self) -> ClientAPI:
        return self._client

    def _read_pointer(self) -> dict[str, Any]:
        try:
            data = json.loads(self._pointer_path.read_text(encoding="utf-8"))
            str(data["release_id"])
            int(data.get("revision", 0))
            [str(r) for r in data.get("history", [])]
            return cast(dict[str, Any], data)
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
            raise KnowledgeStoreCorrupt(
                f"release pointer {self._pointer_path} is unreadable", hint=REPAIR_HINT
            ) from exc

    def pointer_release_id(self) -> str | None:
        """The release the persisted pointer names, readable or not (None: no pointer, or it is damaged)."""
        if not self._pointer_path.exists():
            return None
        try:
            return str(self._read_pointer()["release_id"])
        except KnowledgeStoreCorrupt:
            return None

    def _write_pointer(self, release_id: str, history: list[str], revision: int) -> None:
        private_dir(self._dir)
        payload = {"release_id": release_id, "history": history, "revision": revision, "activated_at": time.time()}
        # Atomic and durable: readers see the old or the new pointer, and a power cut keeps one of them.
        write_text_atomic(self._pointer_path, json.dumps(payload))
        self._pointer_stamp = self._pointer_path.stat().st_mtime_ns
        self.damage = None

    def open_live(self) -> bool:
        """Attach to the release named by the persisted pointer; False when there is none or it is damaged.

        A damaged live release is not raised here but kept in ``damage``, so the commands that repair
        it (``kb reload``, ``kb rollback``, ``kb doctor``) can still open the store.
        """
        self.damage = None
        if not self._pointer_path.exists():
            return False
        try:
            pointer = self._read_pointer()
            self._pointer_stamp = self._pointer_path.stat().st_mtime_ns
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
        probe = cast(Any, [[1.0] + [0.0] * (EMBEDDING_DIM - 1)])
        for collection in [*live.shards.values(), live.docs_collection]:
            with contextlib.suppress(Exception):  # an empty collection has nothing to load
                collection.query(query_embeddings=probe, n_results=1, include=[])

    def history(self) -> list[str]:
        """Previously live releases, most recent first (rollback targets)."""
        if not self._pointer_path.exists():
            return []
        try:
            kept = set(self.release_ids())  # a target whose folder was removed cannot be rolled back to
            return [str(r) for r in self._read_pointer().get("history", []) if str(r) in kept]
        except KnowledgeStoreCorrupt:
            return []  # reported by ``open_live``; the next switch writes a fresh pointer

    def _release_dir(self, release_id: str) -> Path:
        return self._releases_dir / release_id

    def manifest(self, release_id: str) -> ReleaseManifest:
        path = self._release_dir(release_id) / MANIFEST_FILE
        if not path.exists():
            raise ReleaseNotFound(f"no release {release_id}", hint="`shopguide kb status` lists the releases")
        return read_manifest(path)

    def release_ids(self) -> list[str]:
        """Finished releases (those with a manifest), oldest first."""
        if not self._releases_dir.is_dir():
            return []
        return sorted(p.name for p in self._releases_dir.iterdir() if (p / MANIFEST_FILE).exists())

    def _attach(self, release_id: str) -> LiveRelease:
        cached = self._attached.get(release_id)
        if cached is not None:
            return cached
        manifest = self.manifest(release_id)
        snapshot = read_snapshot(self._release_dir(release_id), manifest.files)
        try:
            layout = _layout(manifest.release_id, manifest.price_bands, manifest.band_group)
            shards = {s.name: self._client.get_collection(s.name, embedding_function=self._ef) for s in layout}
            docs_col = self._client.get_collection(f"{COLLECTION_PREFIX}{release_id}-docs", embedding_function=self._ef)
        except Exception as exc:  # chromadb: NotFoundError, InternalError for a damaged index, ...
            raise KnowledgeStoreCorrupt(
                f"release {release_id}: its index in Chroma cannot be opened: {exc}", hint=REPAIR_HINT
            ) from exc
        reviews: dict[str, list[Review]] = {}
        for review in snapshot.reviews:
            reviews.setdefault(review.sku, []).append(review)
        live = self._assemble(
            manifest, layout, shards, docs_col, snapshot.products, reviews, snapshot.docs, snapshot.lexical
        )
        if snapshot.updates:
            live = self._with_products(live, snapshot.updates)
        return live

    def _assemble(  # noqa: PLR0917 (private; one call shape per release part)
        self,
        manifest: ReleaseManifest,
        layout: list[Shard],
        shards: dict[str, Collection],
        docs_col: Collection,
        products: list[Product],
        reviews: dict[str, list[Review]],
        docs: list[KnowledgeDoc],
        lexical: BM25Index | None,
    ) -> LiveRelease:
        if lexical is None:
            lexical = BM25Index.build(tokenize(product_document(p)) for p in products)
        codes: dict[str, list[str]] = {}
        for product in products:
            for code in model_codes(product):
                codes.setdefault(code, []).append(product.sku)
        # A "code" shared by many products is a spec ("16GB"), not a model number: it must not win.
        codes = {c: skus for c, skus in codes.items() if len(skus) <= MAX_PRODUCTS_PER_CODE or c in skus_lower(skus)}
        return LiveRelease(
            release_id=manifest.release_id,
            manifest=manifest,
            shards=shards,
            layout=layout,
            docs_collection=docs_col,
            products={p.sku: p for p in products},
            reviews=reviews,
            docs=docs,
            order=[p.sku for p in products],
            lexical=lexical,
            docs_lexical=BM25Index.build(tokenize(f"{d.title} {d.text}") for d in docs),
            # NaN / -1 for a field not listed: no price bound admits NaN, no in-stock test admits -1.
            prices=np.asarray([np.nan if p.price is None else p.price for p in products], dtype=np.float64),
            stocks=np.asarray([-1 if p.stock is None else p.stock for p in products], dtype=np.int64),
            codes=codes,
        )

    @contextlib.contextmanager
    def _build_lock(self) -> Iterator[None]:
        """One builder at a time across processes (a CLI reload while the bot reloads from chat)."""
        private_dir(self._releases_dir)
        fd = os.open(self._releases_dir / BUILD_LOCK_FILE, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
        try:
            os.fchmod(fd, PRIVATE_FILE_MODE)
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    def collect_garbage(self) -> list[str]:
        """Remove what a crashed build left behind: staging folders and collections without a manifest."""
        removed: list[str] = []
        with self._build_lock():
            finished = set(self.release_ids())
            if self._releases_dir.is_dir():
                for path in self._releases_dir.iterdir():
                    if path.name.startswith(STAGING_PREFIX):
                        shutil.rmtree(path, ignore_errors=True)
                        removed.append(path.name)
            for name in self._collection_names():
                release_id = _release_of(name)
                if release_id is not None and release_id not in finished:
                    self._delete_collection(name)
                    removed.append(name)
        return removed

    def _collection_names(self) -> list[str]:
        return [c.name if hasattr(c, "name") else str(c) for c in self._client.list_collections()]

    def _delete_collection(self, name: str) -> None:
        with contextlib.suppress(Exception):  # already gone is fine
            self._client.delete_collection(name)

    def build_release(
        self,
        loaded: LoadedKnowledge,
        *,
        release_id: str | None = None,
        progress: Progress | None = None,
        created_by: str = "system",
        fail_after_products: int | None = None,
    ) -> str:
        """Write a new release beside the live one. It is not served until ``activate``.

        The manifest is written last and the staging folder renamed into place in one step, so a build
        that dies half-way leaves nothing that ``release_ids`` lists; ``collect_garbage`` removes it.
        ``fail_after_products`` exists for the crash-safety test and bench only.
        """
        release_id = release_id or new_release_id()
        products = list(loaded.products)
        with self._write_lock, self._build_lock():
            staging = self._releases_dir / f"{STAGING_PREFIX}{release_id}"
            shutil.rmtree(staging, ignore_errors=True)
            private_dir(staging)
            bands = _price_bounds(products, self._shard_target)
            layout = _layout(release_id, bands, BAND_GROUP)
            collections = {
                s.name: self._client.create_collection(
                    s.name, embedding_function=self._ef, metadata={"hnsw:space": "cosine"}
                )
                for s in layout
            }
            texts = [product_document(p) for p in products]
            dense_texts = [product_embedding_text(p) for p in products]
            homes = [_shards_for(layout, p) for p in products]
            total = len(products)
            done = 0
            spent = dict.fromkeys(("embed", "chroma_add", "lexical", "files"), 0.0)
            for start in range(0, total, ADD_BATCH):
                batch = range(start, min(total, start + ADD_BATCH))
                mark = time.perf_counter()
                vectors = np.concatenate(
                    [
                        self._embedder.encode(dense_texts[s : s + EMBED_BATCH])
                        for s in range(batch.start, batch.stop, EMBED_BATCH)
                    ]
                )
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
            docs_col = self._client.create_collection(
                f"{COLLECTION_PREFIX}{release_id}-docs", embedding_function=self._ef, metadata={"hnsw:space": "cosine"}
            )
            docs = list(loaded.docs)
            mark = time.perf_counter()
            for start in range(0, len(docs), ADD_BATCH):
                batch_docs = docs[start : start + ADD_BATCH]
                docs_col.add(
                    ids=[d.doc_id for d in batch_docs],
                    embeddings=cast(Any, self._embedder.encode([f"{d.title}\n{d.text}" for d in batch_docs])),
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
            staging.replace(self._release_dir(release_id))
            fsync_dir(self._releases_dir)
            spent["files"] = time.perf_counter() - mark
            self.last_build_seconds = spent
            if progress:
                progress("indexed", total, total)
        return release_id

    def record_gate(self, release_id: str, accuracy: float) -> None:
        manifest = self.manifest(release_id).model_copy(update={"gate_accuracy": accuracy})
        write_text_atomic(self._release_dir(release_id) / MANIFEST_FILE, manifest.model_dump_json(indent=2))

    def activate(self, release_id: str) -> None:
        """Serve ``release_id``: one reference swap, then persist the pointer (atomic rename).

        Queries already running keep the release they started with; the old release's collections
        are deleted only when pruned and its last reader has finished.
        """
        with self._write_lock:
            new = self._attach(release_id)
            self.warm(new)
            old = self._live
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
        folder = self._release_dir(release_id)
        manifest_path = folder / MANIFEST_FILE
        names: list[str] = []
        if manifest_path.exists():
            with contextlib.suppress(KnowledgeError):  # a damaged manifest: fall back to the name scan
                names = read_manifest(manifest_path).collections
            manifest_path.unlink()  # first: from here on the release is not listed, whatever else fails
        for name in names or [n for n in self._collection_names() if _release_of(n) == release_id]:
            self._delete_collection(name)
        # Filled on demand while the release served, so its manifest does not list it.
        self._passages.forget(passages_collection(release_id))
        self._delete_collection(passages_collection(release_id))
        shutil.rmtree(folder, ignore_errors=True)

    @contextlib.contextmanager
    def lease(self, release_id: str | None = None) -> Iterator[LiveRelease]:
        """The live release (or a named one), held so pruning does not delete it while in use."""
        self._maybe_refresh()
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

    # ---- cross-process refresh ---------------------------------------------------------------
    def _maybe_refresh(self) -> None:
        """Pick up a switch or update made by another process (CLI reload while the bot serves)."""
        now = time.monotonic()
        if now - self._last_refresh < REFRESH_INTERVAL_S or self._refreshing:
            return
        self._last_refresh = now
        try:
            stamp = self._pointer_path.stat().st_mtime_ns
        except FileNotFoundError:
            return
        if stamp == self._pointer_stamp:
            return
        self._refreshing = True
        threading.Thread(target=self._refresh, args=(stamp,), daemon=True, name="kb-refresh").start()

    def _follow_pointer(self) -> None:
        """Serve what the persisted pointer names, if another process moved it (call with the write lock)."""
        pointer = self._read_pointer()
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

    def _refresh(self, stamp: int) -> None:
        try:
            with self._write_lock:
                self._follow_pointer()
                self._pointer_stamp = stamp
        except KnowledgeError:
            pass  # a half-written or pruned release: keep serving the current one, retry next interval
        finally:
            self._refreshing = False

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
        with self._write_lock, self._build_lock():
            if self._pointer_path.exists():
                with contextlib.suppress(KnowledgeError):  # damaged: ``self.live`` below says so
                    self._follow_pointer()
            live = self.live
            layout = live.layout
            reembed = [p for p in products if p.sku not in live.products or _text_changed(live.products[p.sku], p)]
            vectors: dict[str, Any] = {}
            if reembed:
                encoded = self._embedder.encode([product_embedding_text(p) for p in reembed])
                vectors.update({p.sku: encoded[i] for i, p in enumerate(reembed)})
            for product in products:
                old = live.products.get(product.sku)
                old_shards = set(_shards_for(layout, old)) if old else set()
                if product.sku not in vectors:
                    source = live.shards[next(iter(old_shards))]
                    got = source.get(ids=[product.sku], include=["embeddings"])
                    vectors[product.sku] = cast(Any, got["embeddings"])[0]
                new_shards = set(_shards_for(layout, product))
                for name in old_shards - new_shards:
                    live.shards[name].delete(ids=[product.sku])
                for name in new_shards:
                    live.shards[name].upsert(
                        ids=[product.sku],
                        embeddings=cast(Any, [vectors[product.sku]]),
                        metadatas=cast(Any, [product_metadata(product, collection_tag(name))]),
                    )
            # One fsynced record per upsert; a crash mid-write leaves a torn last line, which readers
            # ignore and the next append cuts off (that upsert was never acknowledged).
            append_record(
                self._release_dir(live.release_id) / UPDATES_FILE,
                "".join(p.model_dump_json(exclude_none=True) + "\n" for p in products),
            )
            fresh = self._with_products(live, products)
            fresh.revision = live.revision + 1
            self._attached[live.release_id] = fresh
            self._live = fresh
            self._write_pointer(live.release_id, self.history(), fresh.revision)
        self._notify(live.release_id)
        return len(products)

    def _with_products(self, live: LiveRelease, products: Sequence[Product]) -> LiveRelease:
        merged = dict(live.products)
        text_changed = False
        for product in products:
            old = merged.get(product.sku)
            text_changed = text_changed or old is None or _text_changed(old, product)
            merged[product.sku] = product
        known = set(live.order)
        ordered = [merged[s] for s in live.order] + [p for s, p in merged.items() if s not in known]
        lexical = None if text_changed else live.lexical
        return self._assemble(
            live.manifest, live.layout, live.shards, live.docs_collection, ordered, live.reviews, live.docs, lexical
        )

    # ---- Retriever port --------------------------------------------------------------------
    def _embed_one(self, text: str) -> tuple[float, ...]:
        return tuple(float(x) for x in self._embedder.encode([text])[0])

    def search_products(self, query: ProductQuery) -> list[ProductHit]:
        """Hybrid search: exact codes first, then dense and BM25 fused by reciprocal rank."""
        with self.lease() as live:
            return self.search_release(live, query)

    def rank_products(self, query: ProductQuery) -> RankedProducts:
        """The top products in ``query.sort`` order among those the query's hard filters admit."""
        with self.lease() as live:
            mask = self._mask(live, ProductFilter.from_query(query))
            return rank_release(live.order, live.products, live.prices, live.stocks, live.reviews, mask, query)

    def facets(self, query: ProductQuery) -> CatalogFacets:
        """Category, use, brand and price counts of the products the query's hard filters admit."""
        with self.lease() as live:
            return facet_release(live.order, live.products, self._mask(live, ProductFilter.from_query(query)), query)

    def search_release(
        self, live: LiveRelease, query: ProductQuery, mode: Literal["hybrid", "dense", "bm25"] = "hybrid"
    ) -> list[ProductHit]:
        flt = ProductFilter.from_query(query)
        k = max(1, int(query.k))
        depth = max(k, CANDIDATES_PER_LIST)
        mask = self._mask(live, flt)
        exact = self._exact(live, query.text, flt) if mode == "hybrid" else []
        dense = self._dense(live, query.text, flt, depth) if mode != "bm25" else []
        lexical: list[str] = []
        if mode != "dense":
            lexical = [live.order[i] for i, _ in live.lexical.top(tokenize(query.text), depth, mask)]
        fused: dict[str, float] = {}
        for weight, ranking in ((DENSE_WEIGHT, dense), (LEXICAL_WEIGHT, lexical)):
            for rank, sku in enumerate(ranking):
                fused[sku] = fused.get(sku, 0.0) + weight / (RRF_K + rank + 1)
        for sku in exact:
            fused[sku] = EXACT_MATCH_SCORE + fused.get(sku, 0.0)
        best = sorted(fused.items(), key=lambda item: item[1], reverse=True)[:k]
        return [ProductHit(product=live.products[sku], score=score) for sku, score in best if sku in live.products]

    def _mask(self, live: LiveRelease, flt: ProductFilter) -> npt.NDArray[np.bool_] | None:
        if not flt.conditions():
            return None
        mask = np.ones(len(live.order), dtype=bool)
        if flt.price_min is not None:
            mask &= live.prices >= flt.price_min
        if flt.price_max is not None:
            mask &= live.prices <= flt.price_max
        if flt.in_stock_only:
            mask &= live.stocks > 0
        if flt.category or flt.brand or flt.attributes:
            plain = ProductFilter(category=flt.category, brand=flt.brand, attributes=flt.attributes)
            mask &= np.fromiter(
                (plain.matches(live.products[s]) for s in live.order), dtype=bool, count=len(live.order)
            )
        return mask

    def _exact(self, live: LiveRelease, text: str, flt: ProductFilter) -> list[str]:
        found: list[str] = []
        for token in _CODE_TOKEN.findall(text):
            for sku in live.codes.get(token.lower(), []):
                if sku not in found and flt.matches(live.products[sku]):
                    found.append(sku)
        return found

    def _dense(self, live: LiveRelease, text: str, flt: ProductFilter, depth: int) -> list[str]:
        vector = cast(Any, [list(self._embed_query(text or " "))])
        states = ("in",) if flt.in_stock_only else STOCK_STATES
        ranked: list[tuple[float, str]] = []
        for state in states:
            for shard, where in self._plan(live, state, flt):
                collection = live.shards[shard.name]
                result = self._index_query(
                    collection, query_embeddings=vector, n_results=depth, where=where, include=["distances"]
                )
                if result is None:
                    continue
                ids = result["ids"][0]
                distances = (result["distances"] or [[]])[0]
                ranked.extend((float(d), sku) for sku, d in zip(ids, distances, strict=False))
        ranked.sort()
        seen: set[str] = set()
        out = []
        for _, sku in ranked:
            if sku not in seen and sku in live.products:
                seen.add(sku)
                out.append(sku)
        return out[:depth]

    def _plan(
        self, live: LiveRelease, state: StockState, flt: ProductFilter
    ) -> list[tuple[Shard, dict[str, Any] | None]]:
        """Which collections of one stock state to query, each with its ``where``."""
        shards = [s for s in live.layout if s.state == state]
        lo, hi = flt.price_min, flt.price_max
        bands = [s for s in shards if not s.whole]
        if not bands or (lo is None and hi is None):
            whole = next(s for s in shards if s.whole)
            conditions = flt.conditions(price=not bands, stock=False, tag=collection_tag(whole.name))
            return [(whole, _where(conditions))]
        covered: dict[int, bool] = {}  # band index -> wholly inside the range
        cuts: dict[int, ProductFilter] = {}  # band index -> the bounds of the range that cut it
        for shard in bands:
            if len(shard.bands) != 1:
                continue
            if hi is not None and shard.low is not None and shard.low >= hi:
                continue
            if lo is not None and shard.high is not None and shard.high < lo:
                continue
            inside_low = lo is None or (shard.low is not None and shard.low >= lo)
            inside_high = hi is None or (shard.high is not None and shard.high <= hi)
            covered[shard.bands[0]] = inside_low and inside_high
            # Only the bound that cuts the band goes into its where: each condition is a separate scan.
            cuts[shard.bands[0]] = ProductFilter(
                price_min=None if inside_low else lo, price_max=None if inside_high else hi
            )
        chosen: list[Shard] = []
        for shard in bands:  # a group whose bands are all wholly inside replaces them
            if len(shard.bands) > 1 and all(covered.get(b) for b in shard.bands):
                chosen.append(shard)
                for b in shard.bands:
                    covered.pop(b)
        chosen += [s for s in bands if len(s.bands) == 1 and s.bands[0] in covered]
        plan: list[tuple[Shard, dict[str, Any] | None]] = []
        for shard in chosen:
            # A collection wholly inside the range needs no price condition: every row in it qualifies.
            tag = collection_tag(shard.name)
            conditions = flt.conditions(price=False, stock=False, tag=tag)
            if len(shard.bands) == 1 and not covered[shard.bands[0]]:
                conditions += cuts[shard.bands[0]].conditions(tag=tag)
            plan.append((shard, _where(conditions)))
        return plan

    def search_docs(self, text: str, language: Lang, k: int = 3) -> list[PassageHit]:
        with self.lease() as live:
            return self.search_release_docs(live, text, language, k)

    def _index_query(self, collection: Collection, **kwargs: Any) -> QueryResult | None:
        """A Chroma query, or None when its index fails (a crash can leave it inconsistent).

        The caller answers from the lexical index alone: shoppers keep getting answers from the intact
        snapshot while the log says what is wrong and ``kb doctor --repair`` rebuilds the index.
        """
        try:
            return collection.query(**kwargs)
        except Exception as exc:  # chromadb raises InternalError ("Error finding id") for a damaged index
            if collection.name not in self._damaged_collections:
                self._damaged_collections.add(collection.name)
                log.error(
                    "event=kb_index_damaged collection=%s error=%s fix=%r",
                    collection.name,
                    type(exc).__name__,
                    "shopguide kb doctor --repair",
                )
            return None

    def search_release_docs(self, live: LiveRelease, text: str, language: Lang, k: int = 3) -> list[PassageHit]:
        if not live.docs:
            return []
        depth = min(len(live.docs), max(k * 4, 10))
        result = self._index_query(
            live.docs_collection,
            query_embeddings=cast(Any, [list(self._embed_query(text or " "))]),
            n_results=depth,
            include=["distances"],
        )
        by_id = {d.doc_id: d for d in live.docs}
        fused: dict[str, float] = {}
        for rank, doc_id in enumerate(result["ids"][0] if result is not None else []):
            fused[doc_id] = fused.get(doc_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        for rank, (index, _) in enumerate(live.docs_lexical.top(tokenize(text), depth)):
            doc_id = live.docs[index].doc_id
            fused[doc_id] = fused.get(doc_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        hits = [
            PassageHit(doc=by_id[d], score=s * RRF_K + (SAME_LANGUAGE_BONUS if by_id[d].language == language else 0.0))
            for d, s in fused.items()
            if d in by_id
        ]
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:k]

    def get_products(self, skus: Sequence[str]) -> list[Product]:
        live = self.live
        return [live.products[s.strip().upper()] for s in skus if s.strip().upper() in live.products]

    def all_products(self) -> Sequence[Product]:
        return list(self.live.products.values())

    def search_product_passages(self, sku: str, text: str, language: Lang, k: int = 3) -> list[PassageHit]:
        """The passages of one product's own text (and its reviews) that best answer ``text``."""
        with self.lease() as live:
            product = live.products.get(sku.strip().upper())
            if product is None:
                return []
            name = passages_collection(live.release_id)
            passages = self._passages.passages(
                (live.release_id, live.revision, product.sku), product, live.reviews.get(product.sku, []), live.docs
            )
            vectors = self._passages.vectors(name, metadata_key("sku", collection_tag(name)), passages)
            names = set(tokenize(f"{product.name} {product.name_zh} {product.brand}"))
            ask = without_name(text, product)
            ranked = self._passages.rank(
                passages, vectors, self._embed_query(ask), ask, language=language, name_tokens=names
            )
            return ranked[: max(1, k)]

    def reviews_for(self, sku: str) -> list[Review]:
        return list(self.live.reviews.get(sku.upper(), []))


def _text_changed(old: Product, new: Product) -> bool:
    return product_document(old) != product_document(new)


def _release_of(collection_name: str) -> str | None:
    if not collection_name.startswith(COLLECTION_PREFIX):
        return None
    match = re.match(
        r"(\d{8}-\d{6}-[0-9a-f]{6}|[A-Za-z0-9_.]+?)-(?:in|out|docs|passages)", collection_name[len(COLLECTION_PREFIX) :]
    )
    return match.group(1) if match else None


def passages_collection(release_id: str) -> str:
    """The collection that holds a release's product passages (``knowledge.passages``)."""
    return f"{COLLECTION_PREFIX}{release_id}-passages"


def catalog_fingerprint(products: Sequence[Product]) -> str:
    digest = hashlib.sha256()
    for product in sorted(products, key=lambda p: p.sku):
        digest.update(product.model_dump_json().encode())
    return digest.hexdigest()
