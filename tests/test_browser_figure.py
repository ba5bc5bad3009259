"""The figure as sent to the browser (`charts.browser_figure`): the same chart, drawn without
the template, alt text and data-array comparisons that made Plotly draw every chart twice."""

from __future__ import annotations

import json
from pathlib import Path

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import polars as pl
import pytest

from earlyhelp.presentation import charts
from tests.apptest import assert_ran_cleanly, open_app

pytest_plugins = ["tests.browser_helpers"]

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
#: Every view with charts, as a user opens it: each chart is checked as it is drawn.
VIEWS = [
    ("pages/overview.py", {}),
    *(
        ("pages/demand.py", {"view": view})
        for view in ("Over time", "Against expected", "Year on year", "Forecast")
    ),
    ("pages/demand.py", {"per": "Week", "district": "North"}),
    *(
        ("pages/caseloads.py", {"view": view})
        for view in (
            "By district",
            "Teams and workers",
            "Over time",
            "Waiting for a worker",
            "Changes of worker",
        )
    ),
    *(
        ("pages/pathways.py", {"view": view})
        for view in (
            "Front door",
            "Levels of need",
            "Step-ups and step-downs",
            "Re-referrals",
            "How episodes end",
            "Partners and districts",
        )
    ),
    *(
        ("pages/scorecard.py", {"view": view})  # At a glance has no chart: each priority's tab
        for view in (
            "Earliest possible help",
            "Early help is everybody's business",
            "Lasting change for families",
            "A stable workforce",
        )
    ),
    ("pages/district_profile.py", {}),
]


def _trend(values: list[float]) -> go.Figure:
    frame = pl.DataFrame({"month": ["2025-01", "2025-02", "2025-03"], "referrals": values})
    return charts.monthly_trend(
        frame, "month", "referrals", title="Referrals per month", y_title="Referrals"
    )


def _sent(fig: go.Figure) -> dict:
    return json.loads(pio.to_json(charts.browser_figure(fig), validate=False))


def test_the_sent_figure_has_no_template_or_alt_text_and_names_its_data():
    fig = _trend([10.0, 12.0, 9.0])
    assert charts.alt_text(fig), "the builder attached an alt text"
    sent = _sent(fig)
    assert sent["layout"].get("template") is None and "meta" not in sent["layout"]
    # The template's styles are written in: the title font, the line width, the axis ticks.
    assert sent["layout"]["title"]["font"]["size"] == charts.TITLE_FONT_PX
    assert sent["data"][0]["line"]["width"] == 3  # the figure's own width wins over 2.5
    assert sent["layout"]["yaxis"]["ticks"] == "outside"
    assert (
        sent["layout"]["datarevision"] == _sent(_trend([10.0, 12.0, 9.0]))["layout"]["datarevision"]
    ), "the same data, the same revision"
    assert (
        sent["layout"]["datarevision"] != _sent(_trend([10.0, 12.0, 8.0]))["layout"]["datarevision"]
    ), "new data, a new revision"
    assert fig.layout.template is not None and charts.alt_text(fig), "the figure is unchanged"


def test_template_colours_do_not_turn_on_lines_plotly_leaves_off():
    """Plotly draws an axis line, or a grid across bars, only when the figure itself styles
    it; a template's colour for them must not become the figure's own."""
    bars = go.Figure(go.Bar(x=[3, 5], y=["North", "South"], orientation="h"))
    bars.update_layout(template=charts.TEMPLATE, yaxis={"title": {"text": "District"}})
    sent = _sent(bars)["layout"]
    for axis in ("xaxis", "yaxis"):
        assert "linecolor" not in sent[axis] and "showline" not in sent[axis], axis
    assert "gridcolor" not in sent["yaxis"], "no grid across horizontal bars by default"
    assert sent["xaxis"]["zerolinecolor"], "the template's explicit zero line keeps its colour"
    styled = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
    styled.update_layout(template=charts.TEMPLATE, xaxis={"linewidth": 2})
    assert _sent(styled)["layout"]["xaxis"]["linecolor"] == "#D6D6D6", "styled by the figure"
    assert _sent(styled)["layout"]["yaxis"]["gridcolor"] == "#D6D6D6", "a grid by default"


#: Plotly's attributes as it resolved them for drawing (own keys only, internal ones left out).
RESOLVED_JS = """(f) => {
  const el = document.getElementById('chart');
  Plotly.purge(el);
  Plotly.newPlot(el, f.data, {...f.layout, width: 906});
  const skip = new Set(['template', 'meta', 'datarevision', 'uid']);
  const plain = (value, depth) => {
    if (typeof value === 'function') return 'function';
    if (value === null || typeof value !== 'object') return value;
    if (depth > 8 || value instanceof Node) return '...';
    if (Array.isArray(value)) return value.map((item) => plain(item, depth + 1));
    const out = {};
    for (const key of Object.keys(value).sort()) {
      if (!key.startsWith('_') && !skip.has(key)) out[key] = plain(value[key], depth + 1);
    }
    return out;
  };
  return JSON.stringify([plain(el._fullLayout, 0), el._fullData.map((t) => plain(t, 0))]);
}"""


@pytest.mark.browser
def test_every_chart_is_drawn_as_with_its_template(with_demo, monkeypatch, page):
    """Every chart on every page, given to Plotly in chromium as built and as sent: Plotly
    resolves every attribute (colours, fonts, axis lines, grids, sizes) the same way."""
    built: list[go.Figure] = []
    send = charts.browser_figure

    def recording(fig: go.Figure) -> go.Figure:
        built.append(go.Figure(fig))
        return send(fig)

    monkeypatch.setattr(charts, "browser_figure", recording)
    for script, query_params in VIEWS:
        assert_ran_cleanly(open_app(script, query_params))
    monkeypatch.undo()
    assert len(built) > 40, f"only {len(built)} charts were drawn"

    page.set_content("<div id='chart' style='width:906px'></div>")
    page.add_script_tag(path=str(PLOTLY_JS))
    different = []
    for fig in built:
        as_built = page.evaluate(RESOLVED_JS, json.loads(pio.to_json(fig, validate=False)))
        if as_built != page.evaluate(RESOLVED_JS, _sent(fig)):
            different.append(fig.layout.title.text)
    assert not different, f"drawn differently: {different}"
