"""The batch loop: blank sticker in, next URL written and verified, journaled, registered, out.

Rules that keep a batch right whatever happens at the reader:
- a URL belongs to the first chip it was begun on (journaled before the first write), so it is
  never written on two stickers, even in part; a sticker pulled away keeps its URL and is
  finished when it comes back, while other stickers get the next URLs;
- a sticker counts as done only once its verifying read matched and the journal has it;
- a sticker the journal already has as done is recognised by its UID and left alone.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import nfc

from tags.ntag424.layout import CHIP as SUN_CHIP
from tagwriter.client import Client, ServerError, ServerUnreachable
from tagwriter.errors import StickerGone, StickerRefused, VerifyError
from tagwriter.journal import Journal, now
from tagwriter.link import TagLink, wait_for_sticker
from tagwriter.manifest import Batch, Entry
from tagwriter.memory import Snapshot
from tagwriter.ntag424.card import activate
from tagwriter.ntag424.personalise import finish, verify
from tagwriter.password import sticker_password
from tagwriter.plan import Job
from tagwriter.registrations import register
from tagwriter.writer import encode, refuse_other_content

RETRY_SERVER_AFTER = 60.0  # seconds without trying the server once it did not answer


class Reporter(Protocol):
    """Where the loop tells the person at the reader what happens."""

    def say(self, text: str) -> None:
        """One line for the person at the reader."""

    def progress(self, done: int, total: int) -> None:
        """A sticker was finished: `done` of `total`."""


@dataclass
class BatchRun:
    """One sitting at the reader for one batch."""

    batch: Batch
    journal: Journal
    clf: nfc.ContactlessFrontend
    report: Reporter
    client: Client | None = None
    secret: bytes | None = None
    rewrite: bool = False
    wait: Callable[..., object] = wait_for_sticker
    random: Callable[[int], bytes] = os.urandom  # RndA of NTAG 424 DNA sessions (tests fix it)
    _leave: str | None = field(default=None, init=False)  # UID asked to be taken away
    _offline_until: float = field(default=0.0, init=False)

    @property
    def total(self) -> int:
        """URLs in the batch."""
        return len(self.batch.entries)

    def remaining(self) -> list[Entry]:
        """URLs not written and verified yet."""
        journal = self.journal
        return [
            e
            for e in self.batch.entries
            if e.code not in journal.done and e.code not in journal.released
        ]

    def run(self) -> None:
        """Write until every URL of the batch is on a verified sticker."""
        self.report.progress(len(self.journal.done), self.total)
        self.report.say(f"put a blank {self.batch.chip.name} sticker on the reader")
        while self.remaining():
            target = self.wait(
                self.clf,
                skip=lambda uid: uid.hex().upper() == self._leave,
                empty=self._field_empty,
            )
            if target is not None:
                self._sticker(target)
        self.report.say("all stickers of the batch are written; take the last one away")

    def _field_empty(self) -> None:
        if self._leave is not None:
            self._leave = None  # the sticker went: if it comes back, it is looked at again
            self.report.say(f"put the next blank {self.batch.chip.name} sticker on the reader")

    def _sticker(self, target: nfc.clf.RemoteTarget) -> None:
        if self.batch.sun:
            self._sticker_424(bytes(target.sdd_res))
            return
        uid = bytes(target.sdd_res).hex().upper()
        self._leave = uid  # unless it is pulled away mid-write, it must go before the next
        entry: Entry | None = None
        try:
            link = TagLink(self.clf, target)
            done = self.journal.uid_done(uid)
            if done is not None:
                self.report.say(f"sticker {uid} is already written ({done}): take it away")
                return
            entry = self._entry_for(uid)
            if entry is None:
                return
            written = encode(
                link, self._job(entry, link.uid), self._accept(entry, uid), self._unlock(link.uid)
            )
        except StickerGone:
            if entry is not None and self.journal.bound.get(entry.code) == uid:
                self.journal.append({"event": "interrupted", "code": entry.code, "uid": uid})
                self.report.say(
                    f"sticker {uid} was pulled away before it was finished: put it back "
                    "on the reader to finish it"
                )
            self._leave = None
            return
        except StickerRefused as refusal:
            self.report.say(f"sticker {uid} refused: {refusal}")
            return
        self._done(entry, uid, written.profile.key)

    def _done(self, entry: Entry, uid: str, chip: str) -> None:
        record = {
            "event": "done",
            "code": entry.code,
            "tag_id": entry.tag_id,
            "uid": uid,
            "chip": chip,
            "url": entry.url,
            "encoded_at": now(),
        }
        self.journal.append(record)
        self.report.say(f"sticker {uid}: {entry.url} written and verified; take it away")
        self.report.progress(len(self.journal.done), self.total)
        self._register(record)

    def _sticker_424(self, uid_bytes: bytes) -> None:
        """Personalise an NTAG 424 DNA: its keys from the server, key 0 last, two taps checked.

        A sticker pulled at any point keeps its URL in the journal and is finished when it
        comes back (its key versions and settings say what is left); one holding keys this
        tool cannot know is refused, never overwritten.
        """
        uid = uid_bytes.hex().upper()
        self._leave = uid
        entry: Entry | None = None
        try:
            done = self.journal.uid_done(uid)
            if done is not None:
                self.report.say(f"sticker {uid} is already written ({done}): take it away")
                return
            entry = self._entry_for(uid)
            if entry is None:
                return
            assert self.client is not None  # checked before the run starts
            try:
                keys = self.client.sun_keys(entry.code, uid)
            except ServerError as error:
                self.report.say(f"sticker {uid} waits: no keys for it ({error})")
                return
            card = activate(self.clf, uid_bytes, self.random)
            if entry.code not in self.journal.bound:
                # From here on, this URL belongs to this chip: it goes on no other sticker.
                self.journal.append({"event": "begin", "code": entry.code, "uid": uid})
            finish(card, entry.url, keys)
            verify(self.clf, uid_bytes, entry.url, keys, self.random)
        except StickerGone:
            if entry is not None and self.journal.bound.get(entry.code) == uid:
                self.journal.append({"event": "interrupted", "code": entry.code, "uid": uid})
                self.report.say(
                    f"sticker {uid} was pulled away before it was finished: put it back "
                    "on the reader to finish it"
                )
            self._leave = None
            return
        except (StickerRefused, VerifyError) as refusal:
            self.report.say(f"sticker {uid} refused: {refusal}")
            return
        self._done(entry, uid, SUN_CHIP)

    def _entry_for(self, uid: str) -> Entry | None:
        """The URL begun on this chip, else the next URL no chip has yet."""
        code = self.journal.code_bound_to(uid)
        free = (e for e in self.remaining() if e.code not in self.journal.bound or e.code == code)
        entry = next((e for e in self.remaining() if e.code == code), None) or next(free, None)
        if entry is None:
            absent = ", ".join(f"{self.journal.bound[e.code]} ({e.code})" for e in self.remaining())
            self.report.say(
                f"sticker {uid} gets no URL: the last ones belong to the stickers they were "
                f"begun on: {absent}; put those back on the reader to finish them, or give up "
                f"one that is lost with 'tagwriter release --batch {self.batch.id} CODE' "
                "(the server retires its URL, and the batch can finish)"
            )
        return entry

    def _job(self, entry: Entry, uid: bytes) -> Job:
        password = None
        if self.batch.password:
            assert self.secret is not None  # checked before the run starts
            password = sticker_password(self.secret, uid)
        return Job(entry.url, self.batch.mirror, password, self.batch.lock)

    def _unlock(self, uid: bytes) -> bytes | None:
        return sticker_password(self.secret, uid) if self.secret else None

    def _accept(self, entry: Entry, uid: str) -> Callable[[Snapshot], None]:
        def accept(snapshot: Snapshot) -> None:
            refuse_other_content(snapshot, entry.url, self.rewrite)
            if entry.code not in self.journal.bound:
                # From here on, this URL belongs to this chip: it goes on no other sticker.
                self.journal.append({"event": "begin", "code": entry.code, "uid": uid})

        return accept

    def _register(self, record: dict[str, Any]) -> None:
        if self.client is None or time.monotonic() < self._offline_until:
            return
        try:
            refusal = register(self.journal, self.client, record)
        except ServerUnreachable as error:
            self._offline_until = time.monotonic() + RETRY_SERVER_AFTER
            self.report.say(f"registration waits in the journal: {error}")
            return
        if refusal is not None:
            self.report.say(f"the server refused sticker {record['uid']}: {refusal}")
