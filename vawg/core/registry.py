"""Registries: a page or a process of one app that other apps contribute to.

Where one app's page shows what several apps hold, or one app's process needs a step
from another, the owning app declares a Registry and says what an entry is; each
contributing app adds its entries from its AppConfig.ready(). The owner reads the
registry and never imports the contributors, which keeps the layers that the
import-linter contracts in pyproject.toml check.

In use: a strategy action's panels, the published plan's panels and the plan rollover's
steps (vawg.strategy.registries), the partnership home page's items
(vawg.core.home) and the regional comparison's sections (vawg.core.region). The
reports' sections are meant to come the same way, each from a registry its owning app
declares:

    action_panels: Registry[ActionPanel] = Registry("strategy.action_panels")
    # in vawg.learning.apps.LearningConfig.ready():
    action_panels.register("learning.links", ActionPanel(...), order=20)

A panel's template is rendered with the context its contributor gives it by
`{% load panels %}{% panel content %}` (vawg.core.templatetags.panels).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class AlreadyRegistered(ValueError):
    pass


class Registry(Generic[T]):
    """Entries under unique keys, read in order (then by key, so the order is stable
    whichever app's ready() runs first)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[str, tuple[int, T]] = {}

    def register(self, key: str, entry: T, *, order: int = 100) -> T:
        """Add an entry. Registering the same entry again is harmless (ready() may run more
        than once); a different entry under a key already taken is refused."""
        existing = self._entries.get(key)
        if existing is not None and existing != (order, entry):
            raise AlreadyRegistered(f"{self.name}: {key!r} is already registered.")
        self._entries[key] = (order, entry)
        return entry

    def unregister(self, key: str) -> None:
        self._entries.pop(key, None)

    def keys(self) -> list[str]:
        return [key for key, _ in self._sorted()]

    def __iter__(self) -> Iterator[T]:
        return (entry for _, entry in self._sorted())

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def _sorted(self) -> list[tuple[str, T]]:
        ordered = sorted(self._entries.items(), key=lambda item: (item[1][0], item[0]))
        return [(key, entry) for key, (_, entry) in ordered]

    def __repr__(self) -> str:
        return f"<Registry {self.name}: {', '.join(self.keys()) or 'empty'}>"


@dataclass(frozen=True)
class PanelContent:
    """A contributed template with the context its contributor gave it, ready to render."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
