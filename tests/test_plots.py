"""Plot functions: artists, colours and labels — not pixels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from kachin_analysis import plots, style


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


WEEKLY = pd.DataFrame(
    {
        "period": pd.to_datetime(["2024-03-04", "2024-03-11", "2024-03-18"]),
        "positions": [2, 0, 5],
        "theatre": ["North", "North", "South"],
    }
)


def test_cumulative_draws_one_step_line_in_the_resistance_colour():
    ax = plots.plot_cumulative(WEEKLY.assign(positions=WEEKLY["positions"].cumsum()))
    (line,) = ax.lines
    assert line.get_ydata().tolist() == [2, 2, 7]
    assert to_hex(line.get_color()) == style.SIDE_COLORS["resistance"].lower()
    assert ax.get_ylim()[0] == 0


def test_cumulative_by_hue_makes_a_line_and_legend_entry_per_level():
    ax = plots.plot_cumulative(WEEKLY, hue="theatre")
    assert [line.get_label() for line in ax.lines] == ["North", "South"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["North", "South"]


def test_bars_stack_by_hue_with_the_given_palette():
    ax = plots.plot_bars_over_time(WEEKLY, hue="theatre", palette={"North": "#111111", "South": "#222222"})
    colours = {to_hex(p.get_facecolor()) for p in ax.patches}
    assert colours == {"#111111", "#222222"}
    assert len(ax.patches) == 3 * 2  # one bar per period per level


def test_plot_functions_draw_on_the_axes_given():
    fig, ax = plt.subplots()
    assert plots.plot_bars_over_time(WEEKLY, ax=ax) is ax
    assert len(fig.axes) == 1


def test_plot_functions_do_not_touch_global_rcparams():
    before = dict(matplotlib.rcParams)
    plots.plot_phase_timeline(
        pd.DataFrame(
            {"name": ["A"], "theatre": ["x"], "start": pd.to_datetime(["2024-01-01"]), "end": pd.to_datetime([None])}
        )
    )
    assert dict(matplotlib.rcParams) == before


def test_phase_timeline_ends_open_phases_at_their_last_event_faded_never_today():
    import matplotlib.dates as mdates

    ph = pd.DataFrame(
        {
            "name": ["A", "B"],
            "phase_id": ["a", "b"],
            "start": pd.to_datetime(["2024-01-01", "2024-03-07"]),
            "end": pd.to_datetime(["2024-02-01", None]),
            "last_event": pd.to_datetime(["2024-01-20", "2024-05-01"]),
        }
    )
    ax = plots.plot_phase_timeline(ph, until=pd.Timestamp("2030-01-01"))
    assert [t.get_text() for t in ax.texts] == []
    # the open phase's fade is one collection of steps in row 1 (y from 0.75 to 1.25)
    (fade,) = [c for c in ax.collections if c.get_paths() and c.get_paths()[0].vertices[:, 1].min() > 0.5]
    right = max(path.vertices[:, 0].max() for path in fade.get_paths())
    assert right == pytest.approx(mdates.date2num(pd.Timestamp("2024-05-02")))  # the last event's day, not "until"
    alphas = [round(a, 3) for a in fade.get_facecolor()[:, 3]]
    assert len(set(alphas)) > 3 and alphas == sorted(alphas, reverse=True)  # it fades out, left to right


def test_heatmap_accepts_nullable_integers_and_hides_zeros():
    m = pd.DataFrame([[1, 0], [2, pd.NA]], index=["KIA", "KPDF"], columns=["p1", "p2"], dtype="Int64").fillna(0)
    ax = plots.plot_heatmap(m)
    assert sorted(t.get_text() for t in ax.texts if t.get_text()) == ["1", "2"]


def test_swimlane_colours_by_holder_side():
    ct = pd.DataFrame(
        {
            "label": ["Lweje", "Lweje"],
            "holder_side": ["resistance", "junta"],
            "start": pd.to_datetime(["2024-04-01", "2024-06-01"]),
            "end": pd.to_datetime(["2024-06-01", None]),
        }
    )
    ax = plots.plot_control_swimlane(ct, until=pd.Timestamp("2024-07-01"))
    bars = ax.patches
    assert [to_hex(b.get_facecolor()) for b in bars] == [
        style.SIDE_COLORS["resistance"].lower(),
        style.SIDE_COLORS["junta"].lower(),
    ]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Lweje"]


def test_claims_floors_are_hollow():
    cl = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-04-24", "2024-05-01"]),
            "value": [80, 90],
            "claimant": ["KIA", "KIA"],
            "value_precision": ["at_least", "exact"],
        }
    )
    ax = plots.plot_claims(cl, palette={"KIA": "#0072B2"})
    faces = [to_hex(c) for c in ax.collections[0].get_facecolors()]
    assert faces == ["#ffffff", "#0072b2"]


def test_map_draws_township_fallbacks_hollow_and_square():
    ev = pd.DataFrame(
        {
            "longitude": [97.2, 97.4],
            "latitude": [24.3, 25.4],
            "phase_id": ["a", "a"],
            "positions": [1, 4],
            "geo_precision": ["settlement", "township"],
        }
    )
    ax = plots.plot_map(ev, legend=False, palette={"a": "#0072B2"})
    filled, hollow = ax.collections
    assert len(filled.get_offsets()) == 1 and len(hollow.get_offsets()) == 1
    assert len(hollow.get_facecolors()) == 0 or hollow.get_facecolors()[0][3] == 0


def test_style_context_is_reversible():
    before = matplotlib.rcParams["font.size"]
    with style.context("talk"):
        assert matplotlib.rcParams["font.size"] != before
    assert matplotlib.rcParams["font.size"] == before
