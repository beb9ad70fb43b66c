"""The interactive page for live workshops (Solara, on the Mesa model of `experiments.page_model`).

    python -m experiments.app            # serves http://127.0.0.1:8765 (localhost only)

Choose a scenario (or a county's history) and, to ask "what if we did X instead of Y", a second scenario to
run beside it with the same residents and seed; move the sliders (any change starts the run again from day
0); press Play to watch a year week by week: residents' chance of reporting a crime, the share less likely to
call for fear of status questions, unreported crimes, trust, fear and removals, by group, for both scenarios.
"""

from __future__ import annotations

import base64
import ctypes
import dataclasses
import gc
import os
import sys
import threading
import time

import solara

from experiments.workshop.page_model import (
    PROTECTION,
    WEEK,
    Charts,
    Controls,
    SideBySide,
    at_a_glance,
    label,
    levers_in_words,
    scenario_items,
)

controls = solara.reactive(Controls())
playing = solara.reactive(False)
shown = solara.reactive(None)      # the Snapshot on screen
frames = solara.reactive(0)        # how many times the charts were drawn since the run started
last_play = solara.reactive("")    # how long the last full Play took, in words


def change(**fields) -> None:
    """Any control change stops the run and starts it again from day 0 (the page says so)."""
    playing.set(False)
    controls.set(dataclasses.replace(controls.value, **fields))


def choose_scenario(choice: str) -> None:
    playing.set(False)
    controls.set(controls.value.for_place(choice))


@solara.component
def LabelledSlider(text: str, value: float, shown_as: str, low: float, high: float, step: float, on_value):
    """The value written in the label, above a full-width track, so both stay readable in the sidebar. The run
    restarts when the slider is let go (its "change" event), not at every position it passes while dragged."""
    solara.Text(f"{text}: {shown_as}", style={"font-weight": "500"})
    slider = solara.v.Slider(v_model=value, min=low, max=high, step=step, thumb_label=True, hide_details=True,
                             class_="page-slider")
    solara.v.use_event(slider, "change", lambda _widget, _event, data: on_value(float(data)))


@solara.component
def Menu(text: str, value: str, items: list[dict], on_value):
    solara.v.Select(label=text, v_model=value, items=items, on_v_model=on_value, hide_details=True, class_="mb-3")


@solara.component
def ControlPanel():
    c = controls.value
    with solara.Card("What to run"):
        Menu("Scenario", c.scenario, scenario_items(True), choose_scenario)
        Menu("Compare with (same residents, same seed)", c.compare_with,
             scenario_items(False, none_label="nothing: one scenario only"), lambda v: change(compare_with=v))
        solara.Text("Changing any setting starts the run again from day 0.", style={"font-size": "0.85em"})
    with solara.Card("City"):
        LabelledSlider("Residents", c.residents, f"{c.residents:,}", 1000, 50000, 1000,
                       lambda v: change(residents=int(v)))
        LabelledSlider("Share undocumented", c.undocumented_share, f"{c.undocumented_share:.1%}", 0.0, 0.1, 0.001,
                       lambda v: change(undocumented_share=round(v, 4)))
        LabelledSlider("Officers per 1,000 residents", c.officers_per_1000, f"{c.officers_per_1000:.1f}", 0.5, 5.0,
                       0.1, lambda v: change(officers_per_1000=round(v, 2)))
    with solara.Card("Police practice"):
        LabelledSlider("Profiling: stops of Latino residents", c.profiling, f"{c.profiling:.2f} times others'",
                       1.0, 4.0, 0.25, lambda v: change(profiling=v))
        Menu("Victim and witness protection", c.protection, [{"text": k, "value": k} for k in PROTECTION],
             lambda v: change(protection=v))
        solara.Switch(label="Outreach as in the scenario", value=c.outreach_per_year is None,
                      on_value=lambda on: change(outreach_per_year=None if on else 0.2))
        if c.outreach_per_year is not None:
            LabelledSlider("Outreach reaches", c.outreach_per_year, f"{c.outreach_per_year:.0%} of residents a year",
                           0.0, 1.0, 0.05, lambda v: change(outreach_per_year=round(v, 2)))
    with solara.Card("Run"):
        solara.InputInt("Run number (seed)", value=c.seed, on_value=lambda v: change(seed=max(0, int(v))))


@solara.component
def Page():
    solara.use_effect(free_when_closed, [])
    pair = solara.use_memo(lambda: SideBySide(controls.value), [controls.value])
    charts = solara.use_memo(lambda: Charts(pair.snapshot()), [pair])

    def show_start():
        frames.set(0)
        shown.set(pair.snapshot())
    solara.use_effect(show_start, [pair])

    def play(cancel: threading.Event):
        if not playing.value:
            return
        started, start_day = time.perf_counter(), pair.day
        while playing.value and pair.running and not cancel.is_set() and page_is_open():
            pair.advance(pair.frame_days)
            frames.set(frames.value + 1)      # counted before it is shown: a reader who sees the day sees its count
            shown.set(pair.snapshot())
        if not pair.running and not cancel.is_set():
            last_play.set(f"{pair.day - start_day} days in {time.perf_counter() - started:.1f} s")
            playing.set(False)
    solara.use_thread(play, dependencies=[playing.value, pair], intrusive_cancel=False)

    def step_week():
        pair.advance(WEEK)
        frames.set(frames.value + 1)
        shown.set(pair.snapshot())

    snap = shown.value if shown.value is not None and shown.value.source == id(pair) else pair.snapshot()
    with solara.AppBar():
        solara.AppBarTitle("Community trust and immigration enforcement")
    with solara.Sidebar():
        with solara.Row():
            solara.Button("Pause" if playing.value else "Play", color="primary", disabled=not pair.running,
                          on_click=lambda: playing.set(not playing.value))
            solara.Button("Step a week", disabled=playing.value or not pair.running, on_click=step_week)
            solara.Button("Reset", on_click=lambda: change())
        ControlPanel()
    names = [name for name, _, _ in snap.runs]
    solara.Markdown(f"## Day {snap.day} of {snap.days}: " + " vs ".join(f"**{n}**" for n in names))
    for (name, _, policy), style in zip(snap.runs, ("solid lines", "dashed lines")):
        now = f"; now: {label(policy.name)}" if snap.switches else ""
        solara.Markdown(f"- **{name}** ({style}{now}): {levers_in_words(policy)}.")
    every = "simulated week" if pair.frame_days == WEEK else f"{pair.frame_days // WEEK} simulated weeks"
    solara.Markdown(f"{snap.residents:,} simulated residents, {snap.officers} officers; the same residents and seed "
                    f"in both runs. Charts redraw every {every} while playing."
                    + (f" Last full play: {last_play.value}." if last_play.value else ""))
    src = solara.use_memo(lambda: "data:image/png;base64," + base64.b64encode(charts.png(snap)).decode(), [snap])
    solara.v.Html(tag="img", attributes={"src": src, "alt": charts.description(), "width": "960"},
                  class_="page-charts")
    solara.Markdown(at_a_glance(snap))
    solara.v.Html(tag="span", children=[str(frames.value)], style_="display: none", class_="frames-drawn")


def page_is_open() -> bool:
    """Whether a browser tab still shows this session: a run stops when its last tab is closed or loses its
    connection, rather than simulating on for nobody (Solara keeps the session a while for a reconnect)."""
    from solara.server import kernel_context  # noqa: PLC0415  (the server's, present only when served)

    try:
        context = kernel_context.get_current_context()
    except RuntimeError:   # not served (a test calling the component directly)
        return True
    return not context.closed_event.is_set() and kernel_context.PageStatus.CONNECTED in context.page_status.values()


def free_when_closed() -> None:
    """When this session closes (its last tab gone, `SESSION_KEPT_AFTER_LAST_TAB` later), give the memory its models
    held back to the system: a moment after the close, once Solara has dropped the session, collect it and
    return the freed heap (glibc keeps freed memory for the process otherwise: about 15 MiB a visit)."""
    from solara.server import kernel_context  # noqa: PLC0415  (the server's, present only when served)

    try:
        context = kernel_context.get_current_context()
    except RuntimeError:
        return
    context.on_close(lambda: threading.Timer(2.0, return_freed_memory).start())


def return_freed_memory() -> None:
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):   # not glibc: its allocator decides
        pass


# Solara's defaults send data off the machine: a version check against PyPI at start, telemetry (a lookup of the
# server's public IP address and Mixpanel events), and fetches through its asset proxy of whatever solara-assets
# does not ship (KaTeX, for mathematics the page does not show) from cdn.jsdelivr.net. A page that police
# departments and councils run sends nothing anywhere: telemetry is off and the proxy's source is no host at all
# (such an asset is then missing, as it is on a machine without internet), whatever the environment or a .env
# file says; the version check is off on the command line (`main`).
PRIVATE = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "SOLARA_ASSETS_CDN": "file:///no-cdn/"}
# A session whose tabs are all gone is freed after this long (Solara's default keeps it for 24 hours, about
# 15 MiB a visit); a tab that reconnects within it finds its session as it was. The environment may set another.
SESSION_KEPT_AFTER_LAST_TAB = "60s"


def main() -> None:
    """Serve the page on localhost with Solara (extra arguments go to `solara run`, e.g. --port 8800), sending
    nothing off the machine."""
    env = {"SOLARA_KERNEL_CULL_TIMEOUT": SESSION_KEPT_AFTER_LAST_TAB, **os.environ, **PRIVATE}
    os.execve(sys.executable, [sys.executable, "-m", "solara", "run", "experiments.app", "--host", "127.0.0.1",
                               "--port", "8765", "--production", "--no-check-version", *sys.argv[1:]], env)


if __name__ == "__main__":
    main()
