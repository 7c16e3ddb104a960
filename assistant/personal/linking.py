"""Link order-export customers to chat shoppers: ``shopguide shoppers link links.csv`` (e-mail, shopper).

An order export names a customer by e-mail, stored only as its hash (``email:…``); the chat knows them as
``telegram:42``. The shop, which knows both (a sign-up or loyalty form), provides the pairs; the hashed
history then moves to the chat identity, where it personalises their recommendations and ``/forget`` erases
it. E-mails are hashed as they are read and never stored. A shopper cannot link themselves by typing an
address: that would let anyone read another customer's purchases through the recommendations.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, replace
from pathlib import Path

from .events import EventsInvalid, hashed_email
from .profile import ProfileStore

# A chat identity as the adapters build it: platform, colon, the platform's user id.
CHAT_SHOPPER = re.compile(r"^(telegram|slack|cli):[A-Za-z0-9_.-]{1,64}$")
EMAIL_COLUMNS = ("email", "customer email", "e-mail")
SHOPPER_COLUMNS = ("shopper", "shopper_id", "chat", "chat_id")
# Every event of one customer is moved; no customer has more (the import keeps each event once).
MAX_EVENTS_PER_CUSTOMER = 1_000_000


@dataclass(frozen=True)
class Link:
    alias: str  # the hashed e-mail the imported history is stored under
    shopper: str  # the chat identity it belongs to


def read_links(path: Path) -> list[Link]:
    """Every pair of ``path``; a file with any bad row is refused whole, each problem named file:line."""
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    email_col = next((header.index(c) for c in EMAIL_COLUMNS if c in header), None)
    shopper_col = next((header.index(c) for c in SHOPPER_COLUMNS if c in header), None)
    if email_col is None or shopper_col is None:
        raise EventsInvalid(
            f"{path}: the header needs an email and a shopper column", [], hint="for example: email,shopper"
        )
    links: list[Link] = []
    problems: list[str] = []
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        cells = record + [""] * (len(header) - len(record))
        email, shopper = cells[email_col].strip(), cells[shopper_col].strip()
        if "@" not in email:
            problems.append(f"{path}:{line}: no e-mail address")  # the cell is not echoed: it may be personal
        elif not CHAT_SHOPPER.match(shopper):
            problems.append(f"{path}:{line}: shopper {shopper[:40]!r} is not platform:user_id (telegram:42)")
        else:
            links.append(Link(hashed_email(email), shopper))
    if problems:
        raise EventsInvalid(f"{path}: {len(problems)} bad row(s), nothing linked", problems)
    return links


def apply_links(store: ProfileStore, links: list[Link]) -> tuple[int, int]:
    """Move each customer's imported history to their chat identity; returns (customers found, events moved).
    Linking again is harmless: a customer already moved has nothing left under the hash."""
    customers = moved = 0
    for link in links:
        events = store.events(link.alias, limit=MAX_EVENTS_PER_CUSTOMER)
        if not events:
            continue
        customers += 1
        store.add_events([replace(e, shopper=link.shopper) for e in events])
        # The hash held events only; erasing it removes them from under the address.
        store.erase(link.alias)
        moved += len(events)
    return customers, moved
