"""Unit conversions shared by the estimators."""

SECONDS_PER_HOUR = 3600.0
SECONDS_PER_DAY = 86_400.0
# OpenAI 2018: 1 petaflop/s-day = 1e15 FLOP/s sustained for one day = 8.64e19 FLOP
FLOP_PER_PFS_DAY = 1e15 * SECONDS_PER_DAY


def flop_to_pfs_days(flop):
    """FLOP -> petaflop/s-days; works on scalars, arrays and Series."""
    return flop / FLOP_PER_PFS_DAY


def pfs_days_to_flop(pfs_days):
    """Petaflop/s-days -> FLOP; the inverse of flop_to_pfs_days."""
    return pfs_days * FLOP_PER_PFS_DAY
