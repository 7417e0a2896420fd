"""Draw the benchmark's query latencies as an SVG bar chart (log scale), from the JSON that
`search_bench.py --json FILE` writes: the ratios between engines read at a glance, which a
table of milliseconds hides. No plotting library: the chart is a few rectangles.

    .venv/bin/python bench/chart.py /tmp/bench.json bench/latency.svg
"""

import json
import math
import sys
from html import escape
from pathlib import Path

ENGINES = (("embedded", "#0b3a5d"), ("opensearch", "#00703c"), ("wagtail-db", "#b58105"))
QUERIES = {
    "a": "(a) two words",
    "b": "(b) + 3 filters, all facets",
    "c": "(c) browse, all facets",
}
BAR, GAP, GROUP_GAP, LEFT, TOP, WIDTH = 14, 3, 16, 250, 40, 760
LOG_MIN, LOG_MAX = 0, 4  # 1 ms .. 10 s


def x_of(ms: float) -> float:
    span = WIDTH - LEFT - 20
    return LEFT + span * (min(max(math.log10(max(ms, 1)), LOG_MIN), LOG_MAX) / LOG_MAX)


def chart(results: list[dict]) -> str:
    rows = []
    y = TOP
    for result in results:
        rows.append(
            f'<text x="10" y="{y + 12}" font-weight="700">'
            f"{result['size']:,} items (median ms, log scale)</text>"
        )
        y += 22
        for key, label in QUERIES.items():
            figures = result["queries"].get(key, {})
            rows.append(f'<text x="10" y="{y + 2 * BAR}">{escape(label)}</text>')
            for engine, colour in ENGINES:
                if engine not in figures:
                    continue
                ms = figures[engine]["median"]
                end = x_of(ms)
                rows.append(
                    f'<rect x="{LEFT}" y="{y}" width="{end - LEFT:.1f}" height="{BAR}" '
                    f'fill="{colour}"><title>{engine}: {ms:,.1f} ms</title></rect>'
                    f'<text x="{end + 4:.1f}" y="{y + BAR - 3}" font-size="11">{ms:,.0f}</text>'
                )
                y += BAR + GAP
            y += GROUP_GAP
        y += 10
    axis_y = y
    ticks = "".join(
        f'<line x1="{x_of(10**p):.1f}" y1="{TOP}" x2="{x_of(10**p):.1f}" y2="{axis_y}" '
        f'stroke="#ccc"/><text x="{x_of(10**p):.1f}" y="{axis_y + 14}" font-size="11" '
        f'text-anchor="middle">{label}</text>'
        for p, label in ((0, "1 ms"), (1, "10 ms"), (2, "100 ms"), (3, "1 s"), (4, "10 s"))
    )
    legend = "".join(
        f'<rect x="{LEFT + i * 150}" y="12" width="12" height="12" fill="{colour}"/>'
        f'<text x="{LEFT + i * 150 + 18}" y="22">{engine}</text>'
        for i, (engine, colour) in enumerate(ENGINES)
    )
    height = axis_y + 30
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'font-family="system-ui, sans-serif" font-size="13" role="img" '
        f'aria-label="Search latency by engine">'
        f'<rect width="100%" height="100%" fill="#fff"/>{legend}{ticks}{"".join(rows)}</svg>\n'
    )


def main() -> None:
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    results = json.loads(source.read_text())["results"]
    target.write_text(chart(results))
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
