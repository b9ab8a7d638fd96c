"""Run settings: CLI flags override environment variables, which override defaults."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from flows.transform.assumptions import DEFAULT_ASSUMPTION_SET
from sources.arxiv import ARXIV_API_URL
from sources.epoch_models import EPOCH_MODELS_URL
from sources.openalex import OPENALEX_API_URL
from sources.semantic_scholar import S2_API_URL

KNOWN_SOURCES = ("curated", "epoch", "arxiv", "arxiv_snapshot", "semantic_scholar", "openalex")
# SOURCES.md: the categories most ML training papers are filed under
DEFAULT_ARXIV_CATEGORIES = ("cs.LG", "cs.CL", "cs.CV", "cs.AI", "stat.ML")
ENV_PREFIX = "FLOPLEDGER_"


@dataclass(frozen=True)
class Settings:
    warehouse: Path | None = None          # None -> $FLOPLEDGER_WAREHOUSE or ./flopledger.duckdb
    assumptions: str = DEFAULT_ASSUMPTION_SET
    assumptions_file: Path | None = None   # None -> warehouse/seeds/assumption_sets.yaml
    sources: tuple[str, ...] = ("curated",)
    limit: int | None = None
    curated_dir: Path | None = None        # None -> warehouse/seeds/curated
    aliases_file: Path | None = None       # None -> $FLOPLEDGER_ALIASES_FILE or warehouse/seeds/hardware_aliases.csv
    reviews_file: Path | None = None       # None -> $FLOPLEDGER_REVIEWS_FILE or warehouse/seeds/review_decisions.csv
    epoch_models_url: str = EPOCH_MODELS_URL  # a URL or a local path; $FLOPLEDGER_EPOCH_MODELS_URL
    contact: str | None = None             # an email for the User-Agent; $FLOPLEDGER_CONTACT
    arxiv_url: str = ARXIV_API_URL         # $FLOPLEDGER_ARXIV_URL
    arxiv_categories: tuple[str, ...] = DEFAULT_ARXIV_CATEGORIES
    since: str | None = None               # first submission date asked of arXiv (YYYY-MM-DD); None -> 30 days ago
    until: str | None = None               # last submission date; None -> today (UTC)
    arxiv_page_size: int = 100             # arXiv API manual: keep pages modest; at most 2000
    arxiv_min_interval_seconds: float = 3.0  # arXiv API terms: no more than one request every 3 seconds
    s2_url: str = S2_API_URL               # $FLOPLEDGER_S2_URL
    s2_api_key: str | None = None          # $FLOPLEDGER_S2_API_KEY (sent as x-api-key)
    openalex_url: str = OPENALEX_API_URL   # $FLOPLEDGER_OPENALEX_URL
    openalex_api_key: str | None = None    # $FLOPLEDGER_OPENALEX_API_KEY
    arxiv_snapshot: Path | None = None     # the Kaggle arXiv metadata snapshot (JSON lines, .gz too); $FLOPLEDGER_ARXIV_SNAPSHOT
    enrichment_refresh_days: float = 30.0  # ask S2/OpenAlex again about a paper after this long
    notability_file: Path | None = None    # None -> $FLOPLEDGER_NOTABILITY_FILE or warehouse/seeds/notability.yaml

    def arxiv_dates(self) -> tuple[dt.date, dt.date]:
        """(since, until) as dates: until defaults to today (UTC), since to 30 days before it."""
        until = dt.date.fromisoformat(self.until) if self.until else dt.datetime.now(dt.timezone.utc).date()
        since = dt.date.fromisoformat(self.since) if self.since else until - dt.timedelta(days=30)
        return since, until

    @property
    def is_complete_pass(self) -> bool:
        """A run without --limit sees everything a source sends, so missing rows are gone."""
        return self.limit is None


def env_path(name: str) -> Path | None:
    value = os.environ.get(ENV_PREFIX + name)
    return Path(value) if value else None


def settings_from_env(**overrides) -> Settings:
    """Settings with FLOPLEDGER_* environment variables as defaults for unset flags."""
    base = {
        "assumptions": os.environ.get(ENV_PREFIX + "ASSUMPTIONS") or DEFAULT_ASSUMPTION_SET,
        "assumptions_file": env_path("ASSUMPTIONS_FILE"),
        "curated_dir": env_path("CURATED_DIR"),
        "reviews_file": env_path("REVIEWS_FILE"),
        "epoch_models_url": os.environ.get(ENV_PREFIX + "EPOCH_MODELS_URL") or EPOCH_MODELS_URL,
        "contact": os.environ.get(ENV_PREFIX + "CONTACT"),
        "arxiv_url": os.environ.get(ENV_PREFIX + "ARXIV_URL") or ARXIV_API_URL,
        "s2_url": os.environ.get(ENV_PREFIX + "S2_URL") or S2_API_URL,
        "s2_api_key": os.environ.get(ENV_PREFIX + "S2_API_KEY"),
        "openalex_url": os.environ.get(ENV_PREFIX + "OPENALEX_URL") or OPENALEX_API_URL,
        "openalex_api_key": os.environ.get(ENV_PREFIX + "OPENALEX_API_KEY"),
        "notability_file": env_path("NOTABILITY_FILE"),
        "arxiv_snapshot": env_path("ARXIV_SNAPSHOT"),
        "arxiv_page_size": int(os.environ.get(ENV_PREFIX + "ARXIV_PAGE_SIZE") or 100),
        "arxiv_min_interval_seconds": float(os.environ.get(ENV_PREFIX + "ARXIV_MIN_INTERVAL_SECONDS") or 3.0),
    }
    base.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**base)
