"""The figure as the page sends it to the browser: the template written into it, no alt
text, and a `datarevision` naming its data, so that Streamlit's second draw has nothing to do."""

from __future__ import annotations

import hashlib
import json
import re

import plotly.graph_objects as go
from plotly.utils import PlotlyJSONEncoder

# --- As sent to the browser -----------------------------------------------------------------
#: Trace types drawn on x and y axes: a template's `xaxis` and `yaxis` apply to their axes.
_CARTESIAN_TRACES = frozenset(
    {"bar", "box", "contour", "heatmap", "histogram", "scatter", "scattergl", "violin"}
)
_AXIS_NAME = re.compile(r"^[xy]axis\d*$")
#: Traces with an orientation: Plotly draws no grid by default on the axis that places them.
_ORIENTED = frozenset({"bar", "box", "funnel", "histogram", "violin", "waterfall"})
#: Axis lines Plotly draws when the figure itself sets one of their colours or widths, but not
#: when only a template does: a template's colour written into the figure would draw them.
#: (The grid and zero line are drawn by default, except on an axis placing bars; the line is not.)
_SHOWN_WHEN_STYLED = {
    "showline": ("linecolor", "linewidth"),
    "showgrid": ("gridcolor", "gridwidth", "griddash"),
    "zeroline": ("zerolinecolor", "zerolinewidth"),
}


def browser_figure(fig: go.Figure) -> go.Figure:
    """The figure as the page sends it: the same chart, with its template written into it, no
    alt text (the page carries that) and a `datarevision` naming its data.

    Streamlit draws a chart, then draws it again from a deep copy a moment later. Plotly
    compares the copy with what it drew and redraws everything when it finds the template,
    `meta` or a data array to be new objects, unless `datarevision` says the data are the
    same: a second full draw of the chart after every filter change (about 90 ms for the
    Demand chart). Without them the second draw finds nothing to do.
    """
    spec = fig.to_dict()
    layout = spec["layout"]
    template = layout.pop("template", None) or {}
    layout.pop("meta", None)
    data = _with_trace_defaults(spec["data"], template.get("data", {}))
    layout = _with_layout_defaults(layout, template.get("layout", {}), data)
    layout["datarevision"] = hashlib.sha1(
        json.dumps(data, cls=PlotlyJSONEncoder, sort_keys=True).encode()
    ).hexdigest()[:16]
    # Built from a validated figure and template, so not validated again (that took 20 ms);
    # template None, or the new figure would take the default template.
    sent = go.Figure({"data": data, "layout": layout}, _validate=False)
    sent.layout.template = None
    return sent


def _merged(defaults: dict, own: dict) -> dict:
    """`own` over `defaults`, nested dicts merged key by key (as Plotly applies a template)."""
    out = dict(defaults)
    for key, value in own.items():
        base = out.get(key)
        out[key] = (
            _merged(base, value) if isinstance(base, dict) and isinstance(value, dict) else value
        )
    return out


def _with_trace_defaults(traces: list[dict], defaults: dict) -> list[dict]:
    """Each trace over its type's template, the n-th trace of a type taking the n-th of the
    template's (cycling), as Plotly does."""
    seen: dict[str, int] = {}
    out = []
    for trace in traces:
        kind = trace.get("type", "scatter")
        choices = defaults.get(kind) or []
        count = seen.get(kind, 0)
        seen[kind] = count + 1
        out.append(_merged(choices[count % len(choices)], trace) if choices else trace)
    return out


def _with_layout_defaults(layout: dict, defaults: dict, traces: list[dict]) -> dict:
    """The layout over the template's: its `xaxis`/`yaxis` applied to every axis of that kind
    the figure has, and each `<item>defaults` (such as `annotationdefaults`) to every item."""
    axes = {name for name in layout if _AXIS_NAME.match(name)}
    for trace in traces:
        if trace.get("type", "scatter") in _CARTESIAN_TRACES:
            axes.add("xaxis" + trace.get("xaxis", "x")[1:])
            axes.add("yaxis" + trace.get("yaxis", "y")[1:])
    out = {
        key: value
        for key, value in defaults.items()
        if key not in ("xaxis", "yaxis") and not key.endswith("defaults")
    }
    out = _merged(out, {key: value for key, value in layout.items() if key not in axes})
    # Plotly draws no grid across the bars by default: on the axis that places them.
    placing_bars = {_position_axis(trace) for trace in traces if trace.get("type") in _ORIENTED}
    for name in sorted(axes):
        out[name] = _template_axis(
            defaults.get(name[:5], {}), layout.get(name, {}), name not in placing_bars
        )
    for key, item_defaults in defaults.items():
        items = key.removesuffix("defaults") + "s"
        if key.endswith("defaults") and layout.get(items):
            out[items] = [_merged(item_defaults, item) for item in layout[items]]
    return out


def _position_axis(trace: dict) -> str:
    """The axis that places an oriented trace's bars ('xaxis', 'yaxis2', ...)."""
    if trace.get("orientation") == "h":
        return "yaxis" + trace.get("yaxis", "y")[1:]
    return "xaxis" + trace.get("xaxis", "x")[1:]


def _template_axis(defaults: dict, own: dict, grid_by_default: bool) -> dict:
    axis = _merged(defaults, own)
    for shown, styles in _SHOWN_WHEN_STYLED.items():
        by_default = grid_by_default and shown != "showline"
        if shown not in axis and not by_default and not any(style in own for style in styles):
            for style in styles:
                axis.pop(style, None)
    return axis
