"""The trends chart: log compute against publication date, fits with bootstrap bands (matplotlib, Agg).

.png and .svg are matplotlib files; .html is one self-contained page holding the SVG, where
hovering a point shows the run, its date and its interval (no script or style from elsewhere)."""

from __future__ import annotations

import datetime as dt
import html
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

SVG_NS, XLINK_NS = "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"
PAPER_SIZE_INCHES = (10, 6.2)
PNG_DPI = 200


def _figure(chosen, fits, report, footer_sources: str):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=PAPER_SIZE_INCHES, layout="constrained")
    fig.get_layout_engine().set(rect=(0, 0.045, 1, 0.955))  # room for the footer below the axes
    domain_handles = _draw_points(ax, chosen)
    fit_handles = _draw_fits(ax, chosen, fits, report)
    _label_largest(ax, chosen)
    ax.set_yscale("log")
    ax.set_xlabel("publication date", fontsize=12)
    ax.set_ylabel(f"training compute, FLOP ({report['estimate']} estimate)", fontsize=12)
    ax.tick_params(labelsize=11)
    ax.grid(True, which="major", alpha=0.3)
    ax.set_title(f"Training compute of AI systems, {report['since']} to {report['until']} (n = {report['n']})", fontsize=14)
    fits_legend = ax.legend(handles=fit_handles, loc="upper left", fontsize=10, framealpha=0.9)
    ax.add_artist(fits_legend)
    ax.legend(handles=domain_handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=10, title="domain",
              title_fontsize=10, frameon=False)  # beside the axes: never over a point
    excluded = sum(report["excluded"].values())
    fig.text(0.01, 0.005, f"Data: flopledger warehouse, runs from {footer_sources}; assumption set "
                          f"{report['assumption_set']}; {excluded} runs not fitted (see `excluded`). Bars: each run's "
                          f"low-high estimate; bands: 90% bootstrap interval ({report['bootstrap']['resamples']} "
                          f"resamples). Drawn {dt.date.today().isoformat()}.", fontsize=8, color="#444", wrap=True)
    return fig


def _draw_points(ax, chosen):
    import matplotlib.pyplot as plt

    domains = chosen["domain"].fillna("unknown").astype(str)
    palette = plt.get_cmap("tab10" if domains.nunique() <= 10 else "tab20")
    handles = []
    for index, domain in enumerate(sorted(domains.unique())):
        part = chosen[domains == domain]
        colour = palette(index % palette.N)
        flop = part["flop"].to_numpy(float)
        error = np.vstack([flop - part["flop_low"].to_numpy(float), part["flop_high"].to_numpy(float) - flop])
        _draw_bars(ax, part["year"].to_numpy(float), flop - np.clip(error[0], 0, None), flop + np.clip(error[1], 0, None),
                   colour)
        handles.append(ax.scatter(part["year"], flop, s=28, color=colour, edgecolor="white", linewidth=0.5,
                                  zorder=3, label=f"{domain} ({len(part)})", gid=f"points-{index}"))
    return handles


def _draw_bars(ax, years, low, high, colour) -> None:
    """Each run's low-high bar, as one line broken by NaNs: one path for the log scale to transform, not one
    per run (errorbar's collection cost ~0.9 s for a 10x Epoch table's 28k runs)."""
    xs = np.repeat(years, 3)
    ys = np.column_stack([low, high, np.full(len(years), np.nan)]).ravel()
    xs[2::3] = np.nan
    ax.plot(xs, ys, color=colour, alpha=0.45, lw=1, solid_capstyle="butt")


def _draw_fits(ax, chosen, fits, report):
    grid = np.linspace(chosen["year"].min(), chosen["year"].max(), 200)
    overall = fits.overall
    label = (f"all runs: {report['growth_per_year']:.1f}x/year [{report['growth_per_year_low']:.1f}-"
             f"{report['growth_per_year_high']:.1f}], doubling {_months(report['doubling_months'])} months "
             f"[{_months(report['doubling_months_low'])}-{_months(report['doubling_months_high'])}], R² {report['r2']:.2f}")
    low, high = overall.band(grid)
    ax.fill_between(grid, 10 ** low, 10 ** high, color="black", alpha=0.12, lw=0)
    handles = [ax.plot(grid, 10 ** overall.line.predict(grid), color="black", lw=2,
                       ls="--" if len(fits.segmented.segments) > 1 else "-", label=label)[0]]
    if len(fits.segmented.segments) == 1:
        return handles
    edges = [None, *fits.segmented.break_years, None]  # the eras' lines meet at the breaks: draw each up to them
    for index, (segment, row, colour) in enumerate(zip(fits.segmented.segments, report["segments"],
                                                       ("#d62728", "#1f77b4", "#2ca02c"))):
        start = segment.start_year if edges[index] is None else edges[index]
        end = segment.end_year if edges[index + 1] is None else edges[index + 1]
        years = np.linspace(start, end, 100)
        low, high = segment.fit.band(years)
        ax.fill_between(years, 10 ** low, 10 ** high, color=colour, alpha=0.15, lw=0)
        handles.append(ax.plot(years, 10 ** segment.fit.line.predict(years), color=colour, lw=2.5,
                               label=f"{row['start'][:7]} to {row['end'][:7]}: {row['growth_per_year']:.1f}x/year "
                                     f"[{row['growth_per_year_low']:.1f}-{row['growth_per_year_high']:.1f}], doubling "
                                     f"{_months(row['doubling_months'])} months")[0])
    return handles


def _months(value) -> str:
    return "none" if value is None else f"{value:.1f}"


def _short_name(run) -> str:
    name = str(run["system"] if isinstance(run["system"], str) and run["system"] else run["run_id"])
    name = name.split(" (")[0].split(",")[0]
    return name if len(name) <= 22 else name[:21] + "…"


def _label_largest(ax, chosen):
    """Name the largest run of each year (one label per year keeps labels apart)."""
    ranked = chosen.sort_values(["flop", "run_id"], ascending=[False, True])
    largest = ranked.groupby(ranked["published_date"].dt.year, sort=True).head(1)
    for _, run in largest.iterrows():
        ax.annotate(_short_name(run), (run["year"], run["flop"]), xytext=(0, 7), textcoords="offset points",
                    ha="center", fontsize=8, color="#222", zorder=4)


def _tooltips(chosen) -> dict[str, list[str]]:
    """The hover text of each point, per scatter group, in drawing order."""
    domains = chosen["domain"].fillna("unknown").astype(str)
    texts = {}
    for index, domain in enumerate(sorted(domains.unique())):
        part = chosen[domains == domain]
        texts[f"points-{index}"] = [
            f"{r.system or r.run_id} ({r.run_id}), {r.published_date.date().isoformat()}: {r.flop:.3g} FLOP "
            f"[{r.flop_low:.3g}-{r.flop_high:.3g}], {r.method}, {domain}" for r in part.itertuples()]
    return texts


def _html_page(svg_text: str, chosen, report) -> str:
    """One self-contained page: the SVG with a <title> on every point (shown on hover)."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(svg_text)
    tooltips = _tooltips(chosen)
    for group in root.iter(f"{{{SVG_NS}}}g"):
        texts = tooltips.get(group.get("id"))
        if texts is None:
            continue
        for use, text in zip(group.iter(f"{{{SVG_NS}}}use"), texts):
            ET.SubElement(use, f"{{{SVG_NS}}}title").text = text
    body = ET.tostring(root, encoding="unicode")
    title = html.escape(f"Training compute trend, {report['since']} to {report['until']}")
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\n"
            "<style>body{font-family:sans-serif;margin:1em} svg{max-width:100%;height:auto} "
            "use:hover{opacity:.6}</style></head>\n<body>\n"
            f"<p>Hover a point for the run, its date and its estimate interval.</p>\n{body}\n</body></html>\n")


def draw_trend_chart(path: Path, chosen, fits, report, footer_sources: str) -> Path:
    """Write the chart to path (.png, .svg or .html); OSError when it cannot be written."""
    import matplotlib.pyplot as plt

    path = Path(path)
    fig = _figure(chosen, fits, report, footer_sources)
    try:
        suffix = path.suffix.lower()
        if suffix == ".html":
            buffer = io.StringIO()
            fig.savefig(buffer, format="svg")
            page = _html_page(buffer.getvalue(), chosen, report)
            path.write_text(page, encoding="utf-8")
        else:
            fig.savefig(path, format=suffix[1:], dpi=PNG_DPI, metadata={"Software": None} if suffix == ".png" else None)
    finally:
        plt.close(fig)
    return path
