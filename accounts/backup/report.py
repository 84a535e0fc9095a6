"""What a restore did, and what an account holds, in words."""

from collections import Counter
from dataclasses import dataclass, field

from .file import BackupRejected
from .sections import parts


@dataclass
class RestoreReport:
    merge: bool
    added: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)

    def __str__(self) -> str:
        if not self.merge:
            return f"Backup restored: {listing(self.added) or 'it was empty'}."
        parts = [f"Backup merged. Added: {listing(self.added) or 'nothing'}."]
        if sum(self.updated.values()):
            parts.append(f"Updated from the backup, being newer there: {listing(self.updated)}.")
        if sum(self.kept.values()):
            parts.append(f"Kept as they are in your account: {listing(self.kept)}.")
        if sum(self.skipped.values()):
            parts.append(
                "Left out, because your newer version of their card no longer asks "
                f"that prompt: {listing(self.skipped)}."
            )
        return " ".join(parts)


def counted(n: int, name: str) -> str:
    """A count with its name, read with spaces: “1 study session”, “2 cards”."""
    name = name.replace("_", " ")
    if n == 1:
        name = next((part.singular[name] for part in parts() if name in part.singular), name)
    return f"{n} {name}"


def listing(counts: dict[str, int]) -> str:
    """The counts that are not zero, read out: “1 topic, 3 cards”."""
    return ", ".join(counted(n, name) for name, n in counts.items() if n)


def account_contents(user) -> dict[str, int]:
    """How much the person has, by the names the data page and messages use."""
    contents = {}
    for part in parts():
        if part.contents is not None:
            contents.update(part.contents(user))
    return contents


def refuse_non_empty(user) -> None:
    contents = listing(account_contents(user))
    if contents:
        raise BackupRejected(
            f"Your account is not empty (it has {contents}), so the backup was not "
            "restored over it. Tick “merge” to add what the backup has and your account "
            "lacks, keeping the newer of anything that is in both; or restore into a new, "
            "empty account."
        )
