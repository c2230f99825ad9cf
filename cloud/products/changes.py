"""What a catalogue change tells the world: the notifier that products, store prices and
promotions call after a change.

The catalogue owns this Protocol; the price book publisher (``cloud.pricebook.publisher``,
a read model above the catalogue) implements it, and the shell that builds the app, the
ingest worker or the CLI hands it in. So the catalogue never imports the price book.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class ChangeNotifier(Protocol):
    """What service functions need: say that the catalog changed for some stores (or all)."""

    def changed(self, session: Session, stores: Iterable[str] | None = None) -> None: ...
