"""Epoch AI's "Machine Learning Hardware" CSV (CC BY 4.0), read into our spec-table column names.

Used by the spec-table refresh diff (flows/transform/hardware/spec_refresh.py): it reports where Epoch
and warehouse/seeds/hardware_specs.csv differ and never writes our table.
"""

from __future__ import annotations

import io

import pandas as pd

from sources.errors import SourceError
from sources.http import HttpClient
from sources.responses import redact_url

EPOCH_HARDWARE_URL = "https://epoch.ai/data/ml_hardware.csv"
USER_AGENT = "flopledger (+https://github.com/flopledger)"
SOURCE = "Epoch hardware CSV"
MAX_HARDWARE_CSV_BYTES = 16 * 2**20  # the real file is ~200 KB

# Epoch column -> our column(s). Epoch has one tensor column for FP16 and BF16, so it is
# compared against both of ours (we leave bf16 empty on chips without BF16, e.g. V100).
# Manufacturer, Type and Link to datasheet are left out: ours are normalized on purpose.
EPOCH_COLUMNS = {
    "Hardware name": ("epoch_name",),
    "Release date": ("release_date",),
    "FP64 (double precision) performance (FLOP/s)": ("fp64_flop_per_second",),
    "FP32 (single precision) performance (FLOP/s)": ("fp32_flop_per_second",),
    "TF32 (TensorFloat-32) performance (FLOP/s)": ("tf32_flop_per_second",),
    "FP16 (half precision) performance (FLOP/s)": ("fp16_flop_per_second",),
    "Tensor-FP16/BF16 performance (FLOP/s)": ("fp16_tensor_flop_per_second", "bf16_flop_per_second"),
    "FP8 performance (FLOP/s)": ("fp8_flop_per_second",),
    "INT8 performance (OP/s)": ("int8_op_per_second",),
    "Memory (bytes)": ("memory_bytes",),
}


def read_epoch_hardware(location: str, timeout: float = 30, max_retries: int = 2,
                        max_bytes: int = MAX_HARDWARE_CSV_BYTES) -> pd.DataFrame:
    """Epoch's hardware CSV from a local path or an http(s) URL, one row per chip, our column names."""
    remote = location.startswith(("http://", "https://"))
    data = _fetch(location, timeout, max_retries, max_bytes) if remote else _read_file(location, max_bytes)
    return _to_our_columns(_parse_csv(data, redact_url(location)), redact_url(location))


def _fetch(url: str, timeout: float, max_retries: int, max_bytes: int) -> bytes:
    """Through the shared HTTP client: retries of 429/5xx, a size limit and a deadline on the body, and no
    credentials of the URL in any message."""
    with HttpClient(SOURCE, user_agent=USER_AGENT, timeout=timeout, max_retries=max_retries, backoff_seconds=0.5,
                    backoff_jitter_seconds=0.5, max_response_bytes=max_bytes) as client:
        return client.get(url).body


def _read_file(path: str, max_bytes: int) -> bytes:
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as err:
        raise SourceError(f"{SOURCE}: cannot read {path} ({err.strerror or type(err).__name__})") from None
    if len(data) > max_bytes:
        raise SourceError(f"{SOURCE}: {path} is over {max_bytes:,} bytes; Epoch's hardware table is under 1 MB")
    return data


def _parse_csv(data: bytes, location: str) -> pd.DataFrame:
    try:
        raw = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise SourceError(f"Epoch hardware CSV: {location} is not a readable CSV ({str(err).strip().splitlines()[0]})") from None
    missing = [c for c in EPOCH_COLUMNS if c not in raw.columns]
    if "Hardware name" in missing:
        start = ",".join(raw.columns)[:40]
        raise SourceError(f"Epoch hardware CSV: {location} is not in Epoch's format (no 'Hardware name' column; it starts {start!r})")
    if missing:
        raise SourceError(f"Epoch hardware CSV: {location} lacks column(s) {', '.join(repr(c) for c in missing)}")
    return raw


def _to_our_columns(raw: pd.DataFrame, location: str) -> pd.DataFrame:
    out = pd.DataFrame(index=raw.index)
    for epoch_column, ours in EPOCH_COLUMNS.items():
        values = raw[epoch_column].str.strip().replace("", None)
        if epoch_column == "Release date":
            values = _release_dates(values, location)
        elif epoch_column != "Hardware name":
            values = _numbers(values, epoch_column, location)
        for column in ours:
            out[column] = values
    names = out["epoch_name"]
    if names.isna().any() or names.duplicated().any():
        bad = sorted(set(names[names.duplicated()].dropna())) or ["(empty)"]
        raise SourceError(f"Epoch hardware CSV: {location} has empty or repeated Hardware name(s): {', '.join(bad)}")
    return out.sort_values("epoch_name", kind="stable").reset_index(drop=True)


def _numbers(values: pd.Series, column: str, location: str) -> pd.Series:
    try:
        return pd.to_numeric(values, errors="raise").astype("float64")
    except (ValueError, TypeError):
        bad = values[pd.to_numeric(values, errors="coerce").isna() & values.notna()].iloc[0]
        raise SourceError(f"Epoch hardware CSV: {location} has a non-number {bad!r} in {column!r}") from None


def _release_dates(values: pd.Series, location: str) -> pd.Series:
    parsed = pd.to_datetime(values, errors="coerce", format="ISO8601")
    bad = values[parsed.isna() & values.notna()]
    if len(bad):
        raise SourceError(f"Epoch hardware CSV: {location} has a non-date {bad.iloc[0]!r} in 'Release date'")
    return parsed.dt.strftime("%Y-%m-%d").astype(object).where(parsed.notna(), None)
