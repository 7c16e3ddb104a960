"""Knowledge-base administration for chat adapters and the CLI: status, reload, diff, rollback, live updates.

Every operation checks the caller against the admin allowlist (``Settings.admin_ids``, entries
``platform:user_id``) and appends one line to the audit log: who, when, what, result. Adapters map their
chat commands onto these methods and relay the progress events of a reload.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from knowledge.durable import PRIVATE_FILE_MODE, locked, read_log
from knowledge.errors import KnowledgeError, ShopguideError
from knowledge.loaders import LoadedKnowledge, LoadOptions, load_paths
from knowledge.models import Product
from knowledge.releases import ReleaseDiff, diff_products
from knowledge.reload import ReloadOutcome, load_checked, preview_diff, reload_catalog
from knowledge.store import KnowledgeStore

from .config import Settings
from .errors import PermissionDenied
from .safety.pii import PiiRedactor

# The terminal is trusted: whoever runs the CLI already has the data directory and the config.
LOCAL_PLATFORM = "cli"
# Audit details are a summary, not a dump: long texts are cut so no catalog content piles up there.
AUDIT_DETAIL_CHARS = 300

ProgressCallback = Callable[["ProgressEvent"], None]


def load_options(settings: Settings) -> LoadOptions:
    """Catalog loading options from settings (column mapping, currency, size limits)."""
    return LoadOptions(
        column_map=dict(settings.kb_column_map),
        default_currency=settings.kb_default_currency,
        max_catalog_mb=settings.kb_max_catalog_mb,
        max_doc_mb=settings.kb_max_doc_mb,
    )


@dataclass(frozen=True)
class AdminActor:
    platform: str
    user_id: str

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.user_id}"

    @classmethod
    def parse(cls, key: str) -> AdminActor:
        platform, _, user_id = key.partition(":")
        return cls(platform, user_id)


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a reload, for an adapter to relay (edit a message, update a progress bar)."""

    stage: str  # validated, products, documents, indexed, gated, live
    done: int
    total: int
    eta_s: float | None = None  # time left in this stage at its pace so far; None until it can be told

    def describe(self) -> str:
        labels = {
            "validated": "validated {done} products",
            "products": "indexed {done}/{total} products",
            "documents": "indexed {done} passages",
            "indexed": "index built",
            "gated": "checked {done} reference questions",
            "live": "new release is live",
        }
        line = labels.get(self.stage, self.stage + " {done}/{total}").format(done=self.done, total=self.total)
        return f"{line} · {describe_eta(self.eta_s)}" if self.eta_s is not None else line


# An estimate below this is said as seconds, above it as minutes.
ETA_MINUTES_FROM_S = 90.0


def describe_eta(seconds: float) -> str:
    if seconds < ETA_MINUTES_FROM_S:
        return f"about {max(1, round(seconds))} s left"
    return f"about {round(seconds / 60)} min left"


class StagePace:
    """Turns a reload's raw progress into events with an ETA: a stage starts when the step before it ended,
    and what is left goes at the pace of what is done."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._last = clock()
        self._started: dict[str, float] = {}

    def event(self, stage: str, done: int, total: int) -> ProgressEvent:
        now = self.clock()
        started = self._started.setdefault(stage, self._last)
        self._last = now
        eta = None
        if 0 < done < total and now > started:
            eta = (now - started) / done * (total - done)
        return ProgressEvent(stage, done, total, eta)


@dataclass(frozen=True)
class ReleaseInfo:
    release_id: str
    created_at: float
    created_by: str
    products: int
    docs: int
    gate_accuracy: float | None
    live: bool
    models: dict[str, str] = field(default_factory=dict)  # trained models it serves: name -> version


@dataclass
class KnowledgeStatus:
    live: ReleaseInfo | None
    releases: list[ReleaseInfo] = field(default_factory=list)
    rollback_targets: list[str] = field(default_factory=list)
    damage: str = ""  # why the live release cannot be opened, with its fix

    def lines(self) -> list[str]:
        if self.live is None and self.damage:
            listed = [f"   {i.release_id}  products={i.products}  by {i.created_by}" for i in self.releases]
            return [f"live release damaged: {self.damage}", *listed]
        if self.live is None:
            return ["no live release: run `kb reload PATH`"]
        out = [
            f"live: {self.live.release_id} ({self.live.products} products, {self.live.docs} passages), "
            f"built {time.strftime('%Y-%m-%d %H:%M', time.localtime(self.live.created_at))} by {self.live.created_by}"
        ]
        for info in self.releases:
            mark = "*" if info.live else ("r" if info.release_id in self.rollback_targets else " ")
            gate = "-" if info.gate_accuracy is None else f"{info.gate_accuracy:.0%}"
            # Which model a rollback would bring back (``shopguide shoppers train`` stores it with the release).
            models = "".join(f"  {name}={version}" for name, version in sorted(info.models.items()))
            out.append(
                f" {mark} {info.release_id}  products={info.products}  gate={gate}{models}  by {info.created_by}"
            )
        return out


class AuditTrail(Protocol):
    """Who did what to the knowledge base: a JSON-lines file on one machine, a Postgres table for replicas."""

    def record(self, actor: AdminActor, action: str, result: str, *, detail: str = "", **fields: Any) -> None: ...

    def entries(self) -> list[dict[str, Any]]: ...


def audit_entry(
    redactor: PiiRedactor, actor: AdminActor, action: str, result: str, *, detail: str, fields: dict[str, Any]
) -> dict[str, Any]:
    """One audit entry, redacted and cut the same way in every store."""
    return {
        "ts": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "who": actor.key,
        "action": action,
        "result": result,
        "detail": redactor.redact(detail)[:AUDIT_DETAIL_CHARS],
        **{k: redactor.redact(v) if isinstance(v, str) else v for k, v in fields.items()},
    }


class AuditLog:
    """Append-only JSON lines; each entry is one ``write`` on an ``O_APPEND`` descriptor, so lines never interleave."""

    def __init__(self, path: Path, redactor: PiiRedactor | None = None) -> None:
        self.path = path
        self._redactor = redactor or PiiRedactor()
        self._lock = threading.Lock()

    def record(self, actor: AdminActor, action: str, result: str, *, detail: str = "", **fields: Any) -> None:
        entry = audit_entry(self._redactor, actor, action, result, detail=detail, fields=fields)
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock, locked(self.path):  # a purge rewriting the log waits, and we wait for it
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE_MODE)
            try:
                os.fchmod(fd, PRIVATE_FILE_MODE)  # whatever the umask, and for logs an older version made
                os.write(fd, line)
                os.fsync(fd)  # an audit line that a crash can take back is no audit line
            finally:
                os.close(fd)

    def entries(self) -> list[dict[str, Any]]:
        """Every complete entry; a line cut off by a crash (or otherwise unreadable) is skipped."""
        entries = []
        for line in read_log(self.path).lines:
            with contextlib.suppress(ValueError):
                value = json.loads(line)
                if isinstance(value, dict):
                    entries.append(value)
        return entries


class ReleaseAdmin(Protocol):
    """The release-admin port the kb verbs of every adapter use: permission-checked, audited operations."""

    audit: AuditTrail

    def is_admin(self, actor: AdminActor) -> bool: ...

    def status(self, actor: AdminActor) -> KnowledgeStatus: ...

    def diff(
        self,
        actor: AdminActor,
        sources: Sequence[Path | str] | None = None,
        *,
        old_release: str | None = None,
        new_release: str | None = None,
    ) -> ReleaseDiff: ...

    def rollback(self, actor: AdminActor, release_id: str | None = None) -> str: ...

    async def areload(
        self,
        actor: AdminActor,
        sources: Sequence[Path | str] | None = None,
        progress: ProgressCallback | None = None,
        *,
        skip_invalid: bool = False,
        force: bool = False,
        cancel: threading.Event | None = None,
    ) -> ReloadOutcome: ...


class KnowledgeAdmin:
    """The admin operations on the knowledge base, each permission-checked and audited (a ``ReleaseAdmin``)."""

    def __init__(
        self,
        store: KnowledgeStore,
        settings: Settings,
        *,
        audit: AuditTrail | None = None,
        on_switch: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        if audit is None:
            from .state.backends import open_audit_trail  # the backends import this module's types

            audit = open_audit_trail(settings)
        self.audit: AuditTrail = audit
        self._on_switch = on_switch

    # ---- permissions and audit -------------------------------------------------------------
    def is_admin(self, actor: AdminActor) -> bool:
        return actor.platform == LOCAL_PLATFORM or actor.key in self.settings.admin_ids

    @contextlib.contextmanager
    def _operation(self, actor: AdminActor, action: str, **fields: Any) -> Iterator[dict[str, Any]]:
        """Check the allowlist, run, audit the result; ``outcome`` collects what to record on success."""
        if not self.is_admin(actor):
            self.audit.record(actor, action, "denied", **fields)
            raise PermissionDenied(f"{actor.key} may not run kb {action}", hint="ask an admin to add you to admin_ids")
        outcome: dict[str, Any] = {}
        try:
            yield outcome
        except PermissionDenied as exc:  # an admin naming a file outside the catalog folders
            self.audit.record(actor, action, "denied", detail=f"{exc.code}: {exc.message}", **fields)
            raise
        except ShopguideError as exc:
            self.audit.record(actor, action, "error", detail=f"{exc.code}: {exc.message}", **fields)
            raise
        except Exception as exc:
            self.audit.record(actor, action, "error", detail=type(exc).__name__, **fields)
            raise
        self.audit.record(actor, action, "ok", **fields, **outcome)

    def _options(self) -> LoadOptions:
        return load_options(self.settings)

    def _sources(self, actor: AdminActor, sources: Sequence[Path | str] | None) -> list[Path]:
        """Chat admins may only name files under the configured source roots; the CLI may name any file."""
        paths = [Path(s).expanduser() for s in sources] if sources else [self.settings.catalog_dir]
        if actor.platform == LOCAL_PLATFORM:
            return paths
        roots = [r.resolve() for r in (self.settings.kb_source_roots or [self.settings.catalog_dir])]
        resolved = []
        for path in paths:
            full = (roots[0] / path).resolve() if not path.is_absolute() else path.resolve()
            if not any(full == root or root in full.parents for root in roots):
                raise PermissionDenied(
                    f"{path} is outside the catalog folders", hint="put the files under SHOPGUIDE_KB_SOURCE_ROOTS"
                )
            resolved.append(full)
        return resolved

    def _switched(self) -> None:
        if self._on_switch is not None:
            self._on_switch()

    # ---- operations ------------------------------------------------------------------------
    def status(self, actor: AdminActor) -> KnowledgeStatus:
        with self._operation(actor, "status"):
            live_id = self.store.live.release_id if self.store.has_live else None
            infos = []
            for release_id in self.store.release_ids():
                manifest = self.store.manifest(release_id)
                infos.append(
                    ReleaseInfo(
                        release_id,
                        manifest.created_at,
                        manifest.created_by,
                        # The live release counts its live updates (kb upsert) too, not just what it was built with.
                        len(self.store.live.products) if release_id == live_id else manifest.counts.get("products", 0),
                        manifest.counts.get("docs", 0),
                        manifest.gate_accuracy,
                        release_id == live_id,
                        dict(manifest.models),
                    )
                )
            live = next((i for i in infos if i.live), None)
            damage = self.store.damage
            return KnowledgeStatus(live, infos, self.store.history(), str(damage) if damage else "")

    def reload(
        self,
        actor: AdminActor,
        sources: Sequence[Path | str] | None = None,
        progress: ProgressCallback | None = None,
        *,
        skip_invalid: bool = False,
        force: bool = False,
        cancel: threading.Event | None = None,
    ) -> ReloadOutcome:
        """Build a release from ``sources`` (default: the configured catalog), gate it and switch to it.

        ``cancel`` set stops it before the switch with ``ReloadCancelled`` (the live release untouched)."""
        names = [Path(s).name for s in sources or [self.settings.catalog_dir]]  # base names: paths carry user names
        with self._operation(actor, "reload", sources=names, skip_invalid=skip_invalid, force=force) as record:
            paths = self._sources(actor, sources)
            pace = StagePace()
            relay = (lambda stage, done, total: progress(pace.event(stage, done, total))) if progress else None
            outcome = reload_catalog(
                self.store,
                paths,
                options=self._options(),
                skip_invalid=skip_invalid,
                created_by=actor.key,
                reference_questions=self.settings.kb_reference_questions,
                force=force,
                progress=relay,
                cancel=cancel,
            )
            record.update(release=outcome.release_id, detail=outcome.summary())
        self._switched()
        return outcome

    async def areload(
        self,
        actor: AdminActor,
        sources: Sequence[Path | str] | None = None,
        progress: ProgressCallback | None = None,
        *,
        skip_invalid: bool = False,
        force: bool = False,
        cancel: threading.Event | None = None,
    ) -> ReloadOutcome:
        """``reload`` in a worker thread: embedding a catalog must not block the adapter's event loop."""
        return await asyncio.to_thread(
            self.reload, actor, sources, progress, skip_invalid=skip_invalid, force=force, cancel=cancel
        )

    def diff(
        self,
        actor: AdminActor,
        sources: Sequence[Path | str] | None = None,
        *,
        old_release: str | None = None,
        new_release: str | None = None,
    ) -> ReleaseDiff:
        """What reloading ``sources`` would change, or the diff between two releases (default: previous -> live)."""
        with self._operation(actor, "diff", old=old_release or "", new=new_release or "") as record:
            if sources:
                result = preview_diff(self.store, self._sources(actor, sources), self._options())
            else:
                history = self.store.history()
                # ``live`` raises the damage of a live release that cannot be opened, with its repair.
                new_id = new_release or (
                    self.store.live.release_id if self.store.has_live or self.store.damage else None
                )
                old_id = old_release or (history[0] if history else None)
                if new_id is None or old_id is None:
                    raise KnowledgeError("nothing to compare", hint="name two releases, or a catalog path")
                with self.store.lease(old_id) as old, self.store.lease(new_id) as new:
                    result = diff_products(old.products, new.products, old_id, new_id)
            record["detail"] = result.summary()
            return result

    def rollback(self, actor: AdminActor, release_id: str | None = None) -> str:
        with self._operation(actor, "rollback", target=release_id or "previous") as record:
            before = self.store.live.release_id if self.store.has_live else ""
            started = time.perf_counter()
            target = self.store.rollback(release_id)
            record.update(release=target, previous=before, seconds=round(time.perf_counter() - started, 3))
        self._switched()
        return target

    def set_stock(self, actor: AdminActor, sku: str, stock: int) -> Product:
        with self._operation(actor, "set-stock", sku=sku.upper(), stock=stock) as record:
            before = self.store.get_products([sku])
            product = self.store.set_stock(sku, stock)
            record["detail"] = f"stock {before[0].stock if before else '?'} -> {stock}"
        self._switched()
        return product

    def upsert(self, actor: AdminActor, path: Path | str, *, skip_invalid: bool = False) -> LoadedKnowledge:
        """Add or replace the products of one catalog file in the live release, without a rebuild."""
        with self._operation(actor, "upsert", source=Path(path).name) as record:
            source = self._sources(actor, [path])[0]
            loaded = load_checked([source], self._options(), skip_invalid=skip_invalid)
            count = self.store.upsert(loaded.products)
            record["detail"] = f"{count} products upserted"
        self._switched()
        return loaded


def preview(paths: Sequence[Path], options: LoadOptions | None = None) -> LoadedKnowledge:
    """Validate files without touching the store (``kb reload --check``)."""
    return load_paths(paths, options)
