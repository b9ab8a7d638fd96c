"""Run settings, and the only reader of the environment: CLI flags override FLOPLEDGER_* variables,
which override defaults. Seed paths and assumption sets are resolved here once, then passed down."""

from __future__ import annotations

import datetime as dt
import getpass
import math
import os
from dataclasses import dataclass
from pathlib import Path

from flows.errors import UsageError
from flows.transform.compute.assumptions import DEFAULT_ASSUMPTION_SET
from warehouse import seeds
from warehouse.connection import DEFAULT_WAREHOUSE

# sources and parsers are imported inside functions, so `flopledger sql` starts without the HTTP stack

KNOWN_SOURCES = ("curated", "epoch", "arxiv", "arxiv_snapshot", "semantic_scholar", "openalex", "fulltext")
# SOURCES.md: the categories most ML training papers are filed under
DEFAULT_ARXIV_CATEGORIES = ("cs.LG", "cs.CL", "cs.CV", "cs.AI", "stat.ML")
ENV_PREFIX = "FLOPLEDGER_"

# Prefect defaults for a command-line run with no server configured (TOOLCHAIN.md): a slow first
# start of the temporary server must not time out, and no telemetry leaves this machine.
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
}
# `run` prints failures as one line; a failed task's log would add a traceback (PREFECT_LOGGING_LEVEL=INFO shows it)
QUIET_PREFECT = {"PREFECT_LOGGING_LEVEL": "CRITICAL",
                 "DASK_LOGGING__DISTRIBUTED": "warning"}  # a --workers cluster's scheduler and nannies: no INFO lines


def env(name: str) -> str | None:
    """$FLOPLEDGER_<name>, or None when unset or empty."""
    return os.environ.get(ENV_PREFIX + name) or None


def env_path(name: str) -> Path | None:
    value = env(name)
    return Path(value) if value else None


def flopledger_home() -> Path:
    """$FLOPLEDGER_HOME, else ~/.flopledger: flopledger's own state outside any checkout (Prefect's
    database and results when the user has no Prefect configuration of their own)."""
    return Path(env("HOME") or Path.home() / ".flopledger").expanduser()


def user_prefect_configured() -> bool:
    """The user chose where Prefect keeps state or which server it talks to, or has Prefect profiles."""
    chosen = any(os.environ.get(k) for k in ("PREFECT_HOME", "PREFECT_API_URL", "PREFECT_PROFILES_PATH"))
    return chosen or (Path.home() / ".prefect" / "profiles.toml").is_file()


def apply_prefect_defaults(quiet: bool = True) -> None:
    """Set Prefect's variables for this process unless the user set them; with no Prefect configuration
    of the user's, Prefect's state goes to $FLOPLEDGER_HOME/prefect (not ~/.prefect)."""
    if not user_prefect_configured():
        home = flopledger_home() / "prefect"
        home.mkdir(parents=True, exist_ok=True)  # Prefect creates the last folder only, and fails without a word
        os.environ["PREFECT_HOME"] = str(home)
    for key, value in (PREFECT_DEFAULTS | (QUIET_PREFECT if quiet else {})).items():
        os.environ.setdefault(key, value)


def api_keys() -> dict[str, str | None]:
    """The services' API keys ($FLOPLEDGER_S2_API_KEY, $FLOPLEDGER_OPENALEX_API_KEY), read inside the task
    that sends them. Never fields of Settings: Settings is a flow parameter, and Prefect stores parameters
    in its database (docs/security.md)."""
    return {"semantic_scholar": env("S2_API_KEY"), "openalex": env("OPENALEX_API_KEY")}


def prefect_api_url() -> str | None:
    return os.environ.get("PREFECT_API_URL") or None


def set_prefect_api_url(url: str) -> None:
    """Point this process and the processes it starts (Dask workers) at one Prefect server."""
    os.environ["PREFECT_API_URL"] = url


def debug_enabled() -> bool:
    return bool(env("DEBUG"))


def warehouse_path(path: str | os.PathLike | None = None) -> Path:
    """--warehouse, else $FLOPLEDGER_WAREHOUSE, else ./flopledger.duckdb."""
    return Path(path or env("WAREHOUSE") or DEFAULT_WAREHOUSE)


def aliases_file(path: str | os.PathLike | None = None) -> Path:
    """--aliases-file, else $FLOPLEDGER_ALIASES_FILE, else the bundled alias table."""
    return Path(path or env("ALIASES_FILE") or seeds.ALIASES_FILE)


def epoch_hardware_url(url: str | None = None) -> str:
    from sources.epoch_hardware import EPOCH_HARDWARE_URL

    return url or env("EPOCH_HARDWARE_URL") or EPOCH_HARDWARE_URL


def fulltext_url(url: str | None = None) -> str:
    """--fulltext-url, else $FLOPLEDGER_FULLTEXT_URL, else arXiv (e-prints at <base>/e-print/<id>, PDFs at <base>/pdf/<id>)."""
    from sources.fulltext import ARXIV_BASE_URL

    return url or env("FULLTEXT_URL") or ARXIV_BASE_URL


def fulltext_cache_dir(warehouse: Path) -> Path:
    """Where `run --source fulltext` keeps raw files: next to the warehouse, flopledger.duckdb -> flopledger.fulltext/."""
    return warehouse.with_suffix(".fulltext")


DASK_ADDRESS = r"^tcp://[A-Za-z0-9_.\-\[\]:]+:\d{1,5}$"


def check_dask_address(address: str) -> str:
    """tcp://host:port (a Dask scheduler), else a UsageError naming the expected form."""
    import re

    if not re.match(DASK_ADDRESS, address) or not 0 < int(address.rsplit(":", 1)[1]) < 65536:
        raise UsageError(f"--dask-address must look like tcp://host:port, got {address!r}")
    return address


def default_assumptions(name: str | None = None) -> str:
    return name or env("ASSUMPTIONS") or DEFAULT_ASSUMPTION_SET


def default_reviewer(name: str | None = None) -> str | None:
    if name or env("REVIEWER"):
        return name or env("REVIEWER")
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers; the decision is still kept
        return None


def review_token(token: str | None = None) -> str | None:
    """--token, else $FLOPLEDGER_REVIEW_TOKEN: the secret every request to a non-local review desk carries."""
    return token or env("REVIEW_TOKEN")


def lock_wait_seconds(value: float | None = None) -> float:
    """--wait, else $FLOPLEDGER_LOCK_WAIT_SECONDS, else 0 (a busy warehouse fails at once)."""
    if value is None:
        text = (env("LOCK_WAIT_SECONDS") or "").strip()
        try:
            value = float(text) if text else 0.0
        except ValueError:
            raise UsageError(f"{ENV_PREFIX}LOCK_WAIT_SECONDS must be a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise UsageError(f"--wait must be a number of seconds >= 0, got {value:g}")
    return value


def _positive_number(name: str) -> float | None:
    text = (env(name) or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise UsageError(f"{ENV_PREFIX}{name} must be a positive number, got {text!r}")
    return value


def _helper_count(name: str) -> int | None:
    """A count of helper processes: None when unset (the pipeline decides), else a whole number >= 0."""
    text = (env(name) or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise UsageError(f"{ENV_PREFIX}{name} must be a whole number (0: no helper), got {text!r}")
    return int(text)


def assumption_sets(path: str | os.PathLike | None = None) -> dict:
    """Every set in the assumptions file (--assumptions-file, $FLOPLEDGER_ASSUMPTIONS_FILE, or bundled)."""
    from flows.transform.compute.assumptions import parse_assumption_sets

    target = Path(path or env("ASSUMPTIONS_FILE") or seeds.ASSUMPTIONS_FILE)
    return parse_assumption_sets(seeds.read_yaml(target, "assumption sets"), str(target))


def get_assumption_set(name: str | None = None, path: str | os.PathLike | None = None):
    from flows.transform.compute.assumptions import pick_assumption_set

    return pick_assumption_set(assumption_sets(path), default_assumptions(name))


def notability_rules(path: str | os.PathLike | None = None):
    from flows.transform.papers.notability import parse_notability_rules

    target = Path(path or env("NOTABILITY_FILE") or seeds.NOTABILITY_FILE)
    return parse_notability_rules(seeds.read_yaml(target, "notability rules"), str(target))


# Settings fields that hold a source's URL, with the variable that can carry it ($FLOPLEDGER_<name>)
URL_FIELDS = {"epoch_models_url": "EPOCH_MODELS_URL", "arxiv_url": "ARXIV_URL", "s2_url": "S2_URL",
              "openalex_url": "OPENALEX_URL", "fulltext_url": "FULLTEXT_URL"}


def keep_url_secrets_out(values: dict) -> dict:
    """values with each source URL that carries credentials (user:password@, api_key=...) redacted; the
    original goes to this process's environment, where Settings.fetch_url finds it inside the task.
    Settings is a flow parameter, and Prefect stores parameters in its database."""
    from sources.responses import redact_url

    for field, name in URL_FIELDS.items():
        url = values.get(field)
        if url and redact_url(url) != url:
            os.environ[ENV_PREFIX + name] = url
            values[field] = redact_url(url)
    return values


@dataclass(frozen=True)
class Settings:
    warehouse: Path = DEFAULT_WAREHOUSE    # resolved: --warehouse, $FLOPLEDGER_WAREHOUSE or ./flopledger.duckdb
    assumptions: str = DEFAULT_ASSUMPTION_SET
    assumptions_file: Path = seeds.ASSUMPTIONS_FILE
    sources: tuple[str, ...] = ("curated",)
    limit: int | None = None
    curated_dir: Path = seeds.CURATED_DIR
    aliases_file: Path = seeds.ALIASES_FILE
    reviews_file: Path = seeds.DECISIONS_FILE
    epoch_models_url: str | None = None    # a URL or a local path; $FLOPLEDGER_EPOCH_MODELS_URL, else Epoch's
    contact: str | None = None             # an email for the User-Agent; $FLOPLEDGER_CONTACT
    arxiv_url: str | None = None           # $FLOPLEDGER_ARXIV_URL, else arXiv's export API
    arxiv_categories: tuple[str, ...] = DEFAULT_ARXIV_CATEGORIES
    since: str | None = None               # first submission date asked of arXiv (YYYY-MM-DD); None -> 30 days ago
    until: str | None = None               # last submission date; None -> today (UTC)
    arxiv_page_size: int = 100             # arXiv API manual: keep pages modest; at most 2000
    arxiv_min_interval_seconds: float = 3.0  # arXiv API terms: no more than one request every 3 seconds
    s2_url: str | None = None              # $FLOPLEDGER_S2_URL, else the Graph API
    openalex_url: str | None = None        # $FLOPLEDGER_OPENALEX_URL, else api.openalex.org
    arxiv_snapshot: Path | None = None     # the Kaggle arXiv metadata snapshot (JSON lines, .gz too); $FLOPLEDGER_ARXIV_SNAPSHOT
    enrichment_refresh_days: float = 30.0  # ask S2/OpenAlex again about a paper after this long
    notability_file: Path = seeds.NOTABILITY_FILE
    lock_wait_seconds: float = 0.0         # --wait, $FLOPLEDGER_LOCK_WAIT_SECONDS
    max_response_mb: float | None = None   # $FLOPLEDGER_MAX_RESPONSE_MB; None: each source's default (sources/http.py)
    http_deadline_seconds: float | None = None  # $FLOPLEDGER_HTTP_DEADLINE_SECONDS: one answer, body included
    fulltext_url: str | None = None        # --fulltext-url, $FLOPLEDGER_FULLTEXT_URL, else https://arxiv.org
    fulltext_dir: Path | None = None       # --fulltext-dir: a mirror folder of raw files by arXiv id (no network then)
    paper_ids: tuple[str, ...] = ()        # --paper-id: read these papers whatever their state
    workers: int | None = None             # --workers: a local Dask cluster of N processes reads the papers
    dask_address: str | None = None        # --dask-address: an existing Dask scheduler (tcp://host:port)
    fulltext_min_interval_seconds: float = 3.0  # arXiv's terms: one request every 3 s; $FLOPLEDGER_FULLTEXT_MIN_INTERVAL_SECONDS
    statement_helpers: int | None = None   # $FLOPLEDGER_STATEMENT_HELPERS: processes reading a large Epoch table's
                                           # hardware statements beside the run (None: one on 2+ cores; 0: none)

    def http_limits(self) -> dict:
        """Keyword arguments bounding an HttpClient: size of one answer and time to receive it."""
        return {"max_response_bytes": int(self.max_response_mb * 1024 * 1024) if self.max_response_mb else None,
                "deadline_seconds": self.http_deadline_seconds}

    def fetch_url(self, field: str) -> str | None:
        """The URL a task fetches for `field`: the original with its credentials (kept in the environment by
        keep_url_secrets_out) when this Settings holds its redacted form, else the field as it is."""
        from sources.responses import redact_url

        shown = getattr(self, field)
        full = env(URL_FIELDS[field])
        return full if shown and full and redact_url(full) == shown else shown

    def arxiv_dates(self) -> tuple[dt.date, dt.date]:
        """(since, until) as dates: until defaults to today (UTC), since to 30 days before it."""
        until = dt.date.fromisoformat(self.until) if self.until else dt.datetime.now(dt.timezone.utc).date()
        since = dt.date.fromisoformat(self.since) if self.since else until - dt.timedelta(days=30)
        return since, until

    @property
    def is_complete_pass(self) -> bool:
        """A run without --limit sees everything a source sends, so missing rows are gone."""
        return self.limit is None


def settings_from_env(**overrides) -> Settings:
    """Settings with FLOPLEDGER_* environment variables as defaults for unset flags."""
    from sources.arxiv import ARXIV_API_URL
    from sources.epoch_models import EPOCH_MODELS_URL
    from sources.openalex import OPENALEX_API_URL
    from sources.semantic_scholar import S2_API_URL

    base = {
        "warehouse": warehouse_path(overrides.pop("warehouse", None)),
        "assumptions": default_assumptions(),
        "assumptions_file": env_path("ASSUMPTIONS_FILE") or seeds.ASSUMPTIONS_FILE,
        "curated_dir": env_path("CURATED_DIR") or seeds.CURATED_DIR,
        "aliases_file": aliases_file(),
        "reviews_file": env_path("REVIEWS_FILE") or seeds.DECISIONS_FILE,
        "epoch_models_url": env("EPOCH_MODELS_URL") or EPOCH_MODELS_URL,
        "contact": env("CONTACT"),
        "arxiv_url": env("ARXIV_URL") or ARXIV_API_URL,
        "s2_url": env("S2_URL") or S2_API_URL,
        "openalex_url": env("OPENALEX_URL") or OPENALEX_API_URL,
        "notability_file": env_path("NOTABILITY_FILE") or seeds.NOTABILITY_FILE,
        "arxiv_snapshot": env_path("ARXIV_SNAPSHOT"),
        "arxiv_page_size": int(env("ARXIV_PAGE_SIZE") or 100),
        "arxiv_min_interval_seconds": float(env("ARXIV_MIN_INTERVAL_SECONDS") or 3.0),
        "lock_wait_seconds": lock_wait_seconds(overrides.pop("lock_wait_seconds", None)),
        "max_response_mb": _positive_number("MAX_RESPONSE_MB"),
        "http_deadline_seconds": _positive_number("HTTP_DEADLINE_SECONDS"),
        "fulltext_url": fulltext_url(),
        "fulltext_min_interval_seconds": float(env("FULLTEXT_MIN_INTERVAL_SECONDS") or 3.0),
        "statement_helpers": _helper_count("STATEMENT_HELPERS"),
    }
    base.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**keep_url_secrets_out(base))


# A source's own options (as given on the command line, not from the environment) and the sources that
# read them: given without one of those sources, the option would be silently ignored, so it is an error.
OPTION_SOURCES = {
    "epoch_models_url": ("--epoch-models-url", ("epoch",)),
    "arxiv_url": ("--arxiv-url", ("arxiv",)),
    "since": ("--since", ("arxiv",)),
    "until": ("--until", ("arxiv",)),
    "arxiv_categories": ("--category", ("arxiv", "arxiv_snapshot")),
    "arxiv_snapshot": ("--arxiv-snapshot", ("arxiv_snapshot",)),
    "s2_url": ("--s2-url", ("semantic_scholar",)),
    "openalex_url": ("--openalex-url", ("openalex",)),
    "contact": ("--contact", ("epoch", "arxiv", "semantic_scholar", "openalex", "fulltext")),
    "fulltext_url": ("--fulltext-url", ("fulltext",)),
    "fulltext_dir": ("--fulltext-dir", ("fulltext",)),
    "paper_ids": ("--paper-id", ("fulltext",)),
    "workers": ("--workers", ("fulltext",)),
    "dask_address": ("--dask-address", ("fulltext",)),
}


def check_source_options(chosen: tuple[str, ...], options: dict) -> None:
    """An option given for a source that is not selected is a UsageError naming the --source it needs."""
    for name, (flag, readers) in OPTION_SOURCES.items():
        if options.get(name) is not None and not set(readers) & set(chosen):
            needed = " or ".join(f"--source {r}" for r in readers)
            which = "which is" if len(readers) == 1 else "none of which is"
            raise UsageError(f"{flag} is only read with {needed}, {which} selected "
                             f"(sources: {', '.join(chosen)}); add --source {readers[0]} or drop {flag}")


def check_location(flag: str, location: str) -> None:
    """A URL must be http(s) with a host; anything else is a local file that must exist now."""
    from urllib.parse import urlsplit

    if location.startswith(("http://", "https://")):
        if not urlsplit(location).hostname:
            raise UsageError(f"{flag}: {location!r} is not a URL with a host")
        return
    if "://" in location:
        raise UsageError(f"{flag}: only http(s) URLs or local files are read, got {location!r}")
    if not Path(location).is_file():
        raise UsageError(f"{flag}: no file at {location}")


def check_dates(settings: "Settings") -> None:
    if settings.since and settings.until and settings.since > settings.until:
        raise UsageError(f"--since {settings.since} is after --until {settings.until}")


def checked_settings(sources=None, warehouse=None, assumptions=None, assumptions_file=None, limit=None,
                     curated_dir=None, **options) -> Settings:
    """Settings for `run`, `serve` and scheduled runs, checked before anything starts: an unknown
    source, set or missing file, a source's option without that source, a negative wait or a bad
    URL is a UsageError (one line, exit 2)."""
    from flows.transform.compute.assumptions import InvalidAssumptionSet, UnknownAssumptionSet

    chosen = tuple(dict.fromkeys(sources or ["curated"]))
    unknown = [s for s in chosen if s not in KNOWN_SOURCES]
    if unknown:
        raise UsageError(f"unknown source {unknown[0]!r}; known: {', '.join(KNOWN_SOURCES)}")
    check_source_options(chosen, options)
    if limit is not None and limit < 1:
        raise UsageError(f"--limit must be at least 1, got {limit}")
    settings = settings_from_env(warehouse=warehouse, assumptions=assumptions, assumptions_file=assumptions_file,
                                 sources=chosen, limit=limit, curated_dir=curated_dir, **options)
    if not settings.assumptions_file.is_file():
        raise UsageError(f"assumptions file not found: {settings.assumptions_file}")
    try:
        get_assumption_set(settings.assumptions, settings.assumptions_file)
    except (UnknownAssumptionSet, InvalidAssumptionSet) as err:
        raise UsageError(str(err).strip().splitlines()[0]) from None
    check_dates(settings)
    urls = {"epoch": ("--epoch-models-url", settings.epoch_models_url), "arxiv": ("--arxiv-url", settings.arxiv_url),
            "semantic_scholar": ("--s2-url", settings.s2_url), "openalex": ("--openalex-url", settings.openalex_url)}
    for source, (flag, location) in urls.items():
        if source in chosen and location:
            check_location(flag, location)
    if not settings.aliases_file.is_file():
        raise UsageError(f"aliases file not found: {settings.aliases_file}")
    if "arxiv_snapshot" in settings.sources and not (settings.arxiv_snapshot and settings.arxiv_snapshot.is_file()):
        raise UsageError(f"--source arxiv_snapshot needs --arxiv-snapshot FILE (no file at {settings.arxiv_snapshot})")
    if not settings.curated_dir.is_dir():
        raise UsageError(f"curated directory not found: {settings.curated_dir}")
    check_fulltext_options(settings)
    return settings


def check_fulltext_options(settings: "Settings") -> None:
    from urllib.parse import urlsplit

    if "fulltext" not in settings.sources:
        return
    url = settings.fulltext_url or ""
    if not (url.startswith(("http://", "https://")) and urlsplit(url).hostname):
        raise UsageError(f"--fulltext-url must be an http(s) URL with a host, got {url!r}")
    if settings.fulltext_dir is not None and not Path(settings.fulltext_dir).is_dir():
        raise UsageError(f"--fulltext-dir: no folder at {settings.fulltext_dir}")
    if settings.workers is not None and settings.dask_address is not None:
        raise UsageError("--workers and --dask-address exclude each other: start a local cluster or use one")
    if settings.workers is not None and settings.workers < 1:
        raise UsageError(f"--workers must be at least 1, got {settings.workers}")
    if settings.dask_address is not None:
        check_dask_address(settings.dask_address)
