"""Compute trends: least-squares growth with bootstrap intervals, eras, threshold counts (pure)."""
