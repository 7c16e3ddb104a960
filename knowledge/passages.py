"""A product's own text as passages, and the per-release Chroma index that ranks them for a question.

Passages are the title, description chunks, bullet lines, the attribute table, FAQ sections that name
the product and its reviews; each carries its product's SKU and its kind, and review passages are
labelled as shoppers' opinions. A product's passages are embedded and added to the release's passage
collection the first time someone asks about it, then found again by a metadata filter on the SKU:
embedding every passage of every product at ingest would roughly triple the ingest time of a large
catalog for text most of which nobody asks about.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Literal, cast

import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from langchain_text_splitters import RecursiveCharacterTextSplitter

from .embedding import MultilingualUSE
from .lexical import tokenize
from .models import KnowledgeDoc, Product, ProductPassageKind, Review
from .search import PassageHit

# Small passages: one idea each, so a retrieved one is short in the prompt, its polarity is clear and
# its embedding is not diluted by other topics. Chinese carries about three times the meaning per character.
PASSAGE_CHARS = 180
PASSAGE_ZH_CHARS = 70
PASSAGE_OVERLAP = 20
# A line this short in a multi-line description is a bullet (HTML lists arrive as one item per line).
BULLET_MAX_CHARS = 200
MAX_PASSAGES_PER_PRODUCT = 40  # a runaway description must not make one question embed hundreds
REVIEWS_PER_PRODUCT = 12
CACHED_PRODUCTS = 512
# Ranking: cosine similarity to the question plus a bonus for the share of the question's words the
# passage holds (model numbers, feature nouns), and a small one for the reply language.
LEXICAL_BONUS = 0.3
SAME_LANGUAGE_BONUS = 0.05
_BULLET_MARK = re.compile(r"^\s*(?:[-*•·●▪◦✓✔]|\d{1,2}[.)、])\s*")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", ". ", "! ", "? ", "; ", "，", ", ", " ", ""]
Lang = Literal["zh", "en"]


def _language(text: str) -> Lang:
    return "zh" if len(_CJK.findall(text)) > len(text) * 0.1 else "en"


def _doc(product: Product, kind: ProductPassageKind, n: int, text: str, title: str) -> KnowledgeDoc:
    # The id carries a digest of the text, so an edited description gets new ids and stale vectors are ignored.
    digest = hashlib.blake2s(text.encode(), digest_size=4).hexdigest()
    return KnowledgeDoc(
        doc_id=f"{product.sku}#{kind}.{n}.{digest}",
        kind=kind,
        title=title,
        text=text,
        language=_language(text),
        source=f"{product.sku}/{kind}",
        sku=product.sku,
    )


def _plain(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def product_passages(
    product: Product, reviews: Sequence[Review] = (), docs: Sequence[KnowledgeDoc] = ()
) -> list[KnowledgeDoc]:
    """Every passage of one product, in a stable order (title, text, specs, FAQ, reviews)."""
    splitters = {
        lang: RecursiveCharacterTextSplitter(
            chunk_size=size, chunk_overlap=PASSAGE_OVERLAP, separators=_SEPARATORS, keep_separator="end"
        )
        for lang, size in (("en", PASSAGE_CHARS), ("zh", PASSAGE_ZH_CHARS))
    }
    out: list[KnowledgeDoc] = []
    names = " / ".join(n for n in (product.name, product.name_zh) if n)
    out.append(_doc(product, "title", 0, names, "product name"))
    for text in (product.description, product.description_zh):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        for line in lines:
            marked = bool(_BULLET_MARK.match(line))
            bullet = marked or (len(lines) > 1 and len(line) <= BULLET_MAX_CHARS)
            body = _BULLET_MARK.sub("", line) if marked else line
            for chunk in splitters[_language(body)].split_text(body):
                kind: ProductPassageKind = "bullet" if bullet else "description"
                out.append(_doc(product, kind, len(out), chunk.strip(), "product description"))
    # One passage per attribute: "weight g: 254" alone is close to "how heavy is it?", a whole table is not.
    for key, value in product.attributes.items():
        out.append(_doc(product, "attributes", len(out), f"{key.replace('_', ' ')}: {_plain(value)}", "specification"))
    lowered_name = product.name.lower()
    for doc in docs:
        haystack = f"{doc.title}\n{doc.text}"
        if product.sku in haystack or (len(lowered_name) > 3 and lowered_name in haystack.lower()):
            out.append(_doc(product, "faq", len(out), doc.text, doc.title))
    for review in list(reviews)[:REVIEWS_PER_PRODUCT]:
        for chunk in splitters[_language(review.text)].split_text(review.text):
            out.append(_doc(product, "review", len(out), chunk.strip(), f"shopper review, {review.rating}/5 stars"))
    return out[:MAX_PASSAGES_PER_PRODUCT]


def without_name(question: str, product: Product) -> str:
    """The question minus the product's name and SKU: what is asked, not which product (that is known)."""
    ask = question
    for name in sorted((n for n in (product.name, product.name_zh, product.sku) if n), key=len, reverse=True):
        ask = re.sub(re.escape(name), " ", ask, flags=re.IGNORECASE)
    return ask if ask.strip(" ?？!！.。,，") else question


def _cosine(matrix: np.ndarray[Any, Any], vector: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    norms = np.linalg.norm(matrix, axis=1) * (np.linalg.norm(vector) or 1.0)
    result: np.ndarray[Any, Any] = matrix @ vector / np.where(norms == 0, 1.0, norms)
    return result


class ProductPassageIndex:
    """Ranks one product's passages for a question; fills the release's passage collection on demand."""

    def __init__(self, client: ClientAPI, embedder: MultilingualUSE) -> None:
        self._client = client
        self._embedder = embedder
        self._collections: dict[str, Collection] = {}
        self._passages: OrderedDict[tuple[str, int, str], list[KnowledgeDoc]] = OrderedDict()
        self._lock = threading.Lock()

    def _collection(self, name: str) -> Collection:
        with self._lock:
            found = self._collections.get(name)
            if found is None:
                found = self._client.get_or_create_collection(
                    name, embedding_function=cast(Any, self._embedder), metadata={"hnsw:space": "cosine"}
                )
                self._collections[name] = found
            return found

    def forget(self, name: str) -> None:
        """The release's collection was deleted: do not hand out the stale handle."""
        with self._lock:
            self._collections.pop(name, None)

    def passages(
        self, key: tuple[str, int, str], product: Product, reviews: Sequence[Review], docs: Sequence[KnowledgeDoc]
    ) -> list[KnowledgeDoc]:
        """Passages of ``product`` for the release revision in ``key``, built once and kept (LRU)."""
        with self._lock:
            cached = self._passages.get(key)
            if cached is not None:
                self._passages.move_to_end(key)
                return cached
        built = product_passages(product, reviews, docs)
        with self._lock:
            self._passages[key] = built
            while len(self._passages) > CACHED_PRODUCTS:
                self._passages.popitem(last=False)
        return built

    def vectors(self, collection_name: str, sku_key: str, passages: Sequence[KnowledgeDoc]) -> np.ndarray[Any, Any]:
        """Embeddings of ``passages``: stored ones by SKU filter, the rest embedded now and stored."""
        collection = self._collection(collection_name)
        sku = passages[0].sku
        stored = collection.get(where=cast(Any, {sku_key: sku}), include=cast(Any, ["embeddings"]))
        embeddings = stored.get("embeddings")
        by_id: dict[str, Any] = {}
        if embeddings is not None:
            by_id = {doc_id: np.asarray(vec) for doc_id, vec in zip(stored["ids"], embeddings, strict=False)}
        missing = [p for p in passages if p.doc_id not in by_id]
        if missing:
            fresh = self._embedder.encode([f"{p.title}: {p.text}" for p in missing])
            collection.upsert(
                ids=[p.doc_id for p in missing],
                embeddings=cast(Any, fresh),
                metadatas=cast(Any, [{sku_key: sku, "kind": p.kind, "language": p.language} for p in missing]),
            )
            by_id.update({p.doc_id: fresh[i] for i, p in enumerate(missing)})
        return np.stack([np.asarray(by_id[p.doc_id], dtype=np.float32) for p in passages])

    def rank(
        self,
        passages: Sequence[KnowledgeDoc],
        vectors: np.ndarray[Any, Any],
        query_vector: Sequence[float],
        question: str,
        *,
        language: Lang,
        name_tokens: set[str],
    ) -> list[PassageHit]:
        """Passages best first; ``score`` is cosine similarity plus the word and language bonuses."""
        similarity = _cosine(vectors, np.asarray(query_vector, dtype=np.float32))
        wanted = set(tokenize(question)) - name_tokens
        hits = []
        for passage, sim in zip(passages, similarity, strict=True):
            have = set(tokenize(passage.text))
            words = len(wanted & have) / len(wanted) if wanted else 0.0
            bonus = LEXICAL_BONUS * words + (SAME_LANGUAGE_BONUS if passage.language == language else 0.0)
            hits.append(PassageHit(doc=passage, score=float(sim) + bonus))
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits
