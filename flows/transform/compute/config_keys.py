"""Checked reads of a Hugging Face config.json: whole numbers in range, flags, one clear error each."""

from __future__ import annotations

from flows.transform.compute.shape import ArchitectureError

# Upper bounds that no real model reaches (the largest public configs in 2026 have d_model
# ~ 20k, ~ 200 layers, vocabularies ~ 1M, ~ 1k experts); above them a config is a typo.
LIMITS = {"width": 1_000_000, "layers": 10_000, "heads": 100_000, "vocab": 100_000_000,
          "experts": 1_000_000, "positions": 100_000_000}
_MISSING = object()


class ConfigKeys:
    """The values of one config, read under the family's key names; errors name family and key."""

    def __init__(self, config: dict, family: str):
        self.config = config
        self.family = family

    def fail(self, message: str) -> ArchitectureError:
        return ArchitectureError(f"{self.family} config: {message}")

    def _first(self, names: tuple[str, ...]):
        for name in names:
            if self.config.get(name) is not None:
                return name, self.config[name]
        return names[0], _MISSING

    def count(self, *names: str, limit: str, default=_MISSING, minimum: int = 1) -> int:
        """A whole number under the first of `names` present (not null); `default` when none is."""
        name, value = self._first(names)
        if value is _MISSING:
            if default is _MISSING:
                listed = " or ".join(repr(n) for n in names)
                raise self.fail(f"missing key {listed}")
            return default
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{name!r} must be a whole number, got {value!r}")
        if value < minimum:
            raise self.fail(f"{name!r} must be >= {minimum}, got {value}")
        if value > LIMITS[limit]:
            raise self.fail(f"{name!r} = {value:,} is beyond any real model (limit {LIMITS[limit]:,})")
        return value

    def optional(self, name: str, *, limit: str) -> int | None:
        return None if self.config.get(name) is None else self.count(name, limit=limit)

    def flag(self, name: str, default: bool) -> bool:
        value = self.config.get(name, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(f"{name!r} must be true or false, got {value!r}")
        return value

    def text(self, name: str, default: str) -> str:
        value = self.config.get(name, default)
        if not isinstance(value, str):
            raise self.fail(f"{name!r} must be a string, got {value!r}")
        return value

    def heads(self, d_model: int, n_head: int, n_kv_head: int, head_dim: int | None) -> int:
        """The head dimension, checked: heads split d_model evenly unless head_dim is given, and
        query heads split evenly into key-value groups."""
        if n_kv_head > n_head or n_head % n_kv_head:
            raise self.fail(f"{n_head} attention heads do not split into {n_kv_head} key-value heads")
        if head_dim is not None:
            return head_dim
        if d_model % n_head:
            raise self.fail(f"hidden size {d_model} is not a multiple of {n_head} attention heads")
        return d_model // n_head
