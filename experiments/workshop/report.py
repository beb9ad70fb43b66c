"""A one-page workshop report for a sweep: a single self-contained HTML file to hand out (and a PDF of it
where headless Chromium is installed).

    python -m experiments.report results/sweeps/<name> [--baseline decoupled]

It opens with key findings generated from the numbers (experiments/findings.py), then the headline table
(means and 95% intervals across runs, differences from the baseline with their intervals), explanations of
what readers found surprising, the workshop figures (embedded), the scenarios in plain words with the
source sentences they encode (source documents cited by title), the main assumptions in plain words with
the run's values (experiments/assumptions.py) and a glossary (experiments/glossary.py). Made from the
sweep's tables and the runs' saved configs only; the comparison and the figures are made again if they were not
made from the runs the report describes.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import math
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from omegaconf import OmegaConf

from experiments.runs import scenarios
from experiments.runs.compare import (
    HEADLINES,
    cannot_write,
    comparison_of,
    complete_runs,
    estimate_text,
    require_runs,
)
from experiments.runs.config import in_scenario_order, load_costs, to_model_params
from experiments.runs.runfolder import write_atomically
from experiments.runs.schema import RunConfig, UnitCosts
from experiments.workshop.assumptions import plain_assumptions
from experiments.workshop.figures import figures_of
from experiments.workshop.findings import Table, key_findings, less_likely_meaning, surprises
from experiments.workshop.glossary import cite_titles, glossary
from experiments.workshop.vocabulary import label
from model import ParameterError

CAPTIONS = {
    "1_who_stops_calling": "Who stops calling the police? The share of each group less likely to report a crime "
                           "against them than before the policy, and their chance of reporting a violent crime.",
    "2_unreported_and_victims": "How many crimes go unreported, and who is victimized?",
    "3_trust_and_fear_over_time": "Trust in police and fear of immigration consequences, day by day.",
    "4_who_is_removed": "Who gets removed? Removals with and without a criminal conviction, from mixed-status "
                        "households, and citizens and lawful residents wrongly held.",
    "5_what_it_costs": "What does it cost the locality? Officer hours and jail-days spent on immigration work, and "
                       "holds without a judicial warrant.",
    "6_where_people_stop_calling": "Neighbourhoods on a stylized map: who lives where, and how much willingness to "
                                   "report a crime changed in each after a year under two scenarios.",
}

STYLE = """body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;
color:#222;line-height:1.45;padding:0 1em}h1{font-size:1.7em;margin-bottom:.2em}h2{margin-top:1.6em;
border-bottom:1px solid #ddd}table{border-collapse:collapse;font-size:.85em;margin:1em 0}td,th{border:1px solid
#ddd;padding:4px 6px;text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
.note{color:#555;font-size:.9em}figure{margin:1.5em 0}figure img{width:100%}figcaption{color:#444;font-size:.9em}
.diff{color:#666;font-size:.85em}dl.glossary{columns:2;column-gap:2em}dl.glossary dd{margin:0 0 .5em 0}
@page{size:A4;margin:10mm}
@media print{body{font-size:8pt;max-width:none;margin:0;padding:0;line-height:1.3}h1{font-size:14pt}
h2{font-size:10.5pt;margin-top:.8em;break-after:avoid}table{font-size:6.2pt;margin:.4em 0}td,th{padding:1px 3px}
.verdict{display:none}figure{display:inline-block;width:49%;margin:.2em 0;vertical-align:top;break-inside:avoid}
figcaption{font-size:7pt}dl.glossary{columns:3;font-size:7pt}dl.scenarios dd{font-size:7pt}
ul,ol{margin:.3em 0;padding-left:1.4em}p{margin:.4em 0}}"""


def _cell(fmt: str, mean: float, lo: float, hi: float) -> str:
    if math.isnan(mean):
        return "n/a"
    text = fmt.format(mean)
    return text if math.isnan(lo) else f"{text} <span class=diff>[{fmt.format(lo)}, {fmt.format(hi)}]</span>"


def difference(fmt: str, t: dict, i: int, seeds: int, residents: int) -> str:
    """A scenario's difference from the baseline with its interval, and plainly whether it is resolved at this
    run's size and seeds, and if not about what would resolve it."""
    text = estimate_text(fmt, t["diff"][i], t["diff_low"][i], t["diff_high"][i], signed=True)
    return (f"{text} vs baseline<span class=verdict>: "
            f"{verdict(t['resolved'][i], t['more_needed'][i], seeds, residents)}</span>")


def verdict(resolved: float, more: float, seeds: int, residents: int) -> str:
    if math.isnan(resolved):
        return "too few runs to tell"
    if resolved:
        return "a clear difference"
    if math.isinf(more) or more > 100:
        return "no difference seen"
    return (f"no clear difference; about {math.ceil(seeds * more)} runs or {_round(residents * more):,} residents "
            "would resolve it")


def _round(n: float) -> int:
    """n to two significant figures."""
    return int(float(f"{n:.2g}"))


def resolution_summary(t: dict[str, list], seeds: int, residents: int) -> str:
    """One paragraph: how many of the headline differences are resolved at this size, and what the rest need
    (`t`: comparison.parquet as columns)."""
    wanted = {(g, m) for g, m, _, _ in HEADLINES}
    rows = [i for i, (g, m, r) in enumerate(zip(t["group"], t["metric"], t["resolved"]))
            if (g, m) in wanted and not math.isnan(r)]
    if not rows:
        return ""
    clear = [i for i in rows if t["resolved"][i]]
    open_ = sorted(t["more_needed"][i] for i in rows if not t["resolved"][i] and math.isfinite(t["more_needed"][i])
                   and t["more_needed"][i] <= 100)
    text = (f"Is each difference real, or chance? Of the {len(rows)} differences from the baseline in the table, "
            f"{len(clear)} are clear at this size ({residents:,} residents, {seeds} runs per scenario): their 95% "
            "interval leaves out zero. ")
    if open_:
        typical = open_[len(open_) // 2]
        text += (f"{len(open_)} more show a difference that this run cannot tell from chance; half of them would "
                 f"need about {math.ceil(seeds * typical)} runs or more (or {typical:.0f} times the residents). ")
    none = len(rows) - len(clear) - len(open_)
    if none:
        text += f"{none} show no difference worth resolving (the interval is far wider than the difference). "
    return f"<p>{html.escape(text.strip())}</p>"


def headline_table(columns: dict[str, list], seeds: int, residents: int) -> str:
    table = Table(columns)
    t, baseline = table.t, table.baseline
    rows = ["<tr><th>Outcome (mean over runs [95% interval])</th>" +
            "".join(f"<th>{html.escape(label(p))}</th>" for p in table.policies) + "</tr>"]
    for group, metric, name, fmt in HEADLINES:
        cells = []
        for p in table.policies:
            i = table.rows.get((p, group, metric))
            if i is None:
                cells.append("<td>n/a</td>")
                continue
            text = _cell(fmt, t["mean"][i], t["ci_low"][i], t["ci_high"][i])
            if baseline and p != baseline and not math.isnan(t["diff"][i]):
                text += f"<br><span class=diff>{difference(fmt, t, i, seeds, residents)}</span>"
            cells.append(f"<td>{text}</td>")
        rows.append(f"<tr><td>{html.escape(name)}</td>{''.join(cells)}</tr>")
    return "<table>" + "\n".join(rows) + "</table>"


def _items(sentences: list[str], tag: str = "ul") -> str:
    return f"<{tag}>" + "\n".join(f"<li>{html.escape(s)}</li>" for s in sentences) + f"</{tag}>"


def glossary_list(drop: float) -> str:
    return "<dl class=glossary>" + "\n".join(f"<dt><b>{html.escape(term)}</b></dt><dd>{html.escape(text)}</dd>"
                                             for term, text in glossary(drop).items()) + "</dl>"


HOLDS_WARNING = ("Center for American Progress, Federal-Local Coordination on Immigration Enforcement (2015): "
                 "\u201ca number of federal courts have ruled that holding someone beyond the time permitted under "
                 "state law without a judicial finding of probable cause is an unconstitutional deprivation of an "
                 "individual\u2019s liberty.\u201d The Police Foundation (2009) lists \u201cracial profiling and other "
                 "civil lawsuits\u201d among police leaders\u2019 concerns. The model counts these holds; it does not "
                 "guess what a lawsuit would cost.")


def cost_table(table: dict[str, list], costs: UnitCosts) -> str:
    """Officer hours and jail-days on immigration work per scenario, priced with the unit costs, beside the
    count of holds without a judicial warrant (a legal exposure, not priced)."""
    t = Table(table)
    def money(x: float, digits: int = 0) -> str:
        return f"${x:,.{digits}f}" if costs.currency == "USD" else f"{x:,.{digits}f} {costs.currency}"
    head = ("<tr><th>Scenario (a year)</th><th>Officer hours on immigration work</th><th>their cost</th>"
            "<th>Local jail-days for immigration</th><th>their cost</th><th>Total</th>"
            "<th>Holds without a judicial warrant</th></tr>")
    rows = []
    for p in t.policies:
        hours, days = t.get(p, "all", "officer_hours_immigration"), t.get(p, "all", "jail_days_immigration")
        holds = t.get(p, "all", "holds_without_warrant")
        rows.append(f"<tr><td>{html.escape(label(p))}</td><td>{hours:,.0f}</td><td>{money(hours * costs.officer_hour)}"
                    f"</td><td>{days:,.1f}</td><td>{money(days * costs.jail_day)}</td>"
                    f"<td>{money(hours * costs.officer_hour + days * costs.jail_day)}</td><td>{holds:,.1f}</td></tr>")
    note = (f"Means over runs, in {costs.currency} at the prices of the year each unit cost is from: an officer hour "
            f"{money(costs.officer_hour, 2)} ({costs.officer_hour_year}; {costs.officer_hour_source}); a jail-day "
            f"{money(costs.jail_day, 2)} ({costs.jail_day_year}; {costs.jail_day_source}). Set your own city's with "
            "costs.officer_hour=... costs.jail_day=... on the command line, or a file in conf/costs/. Holds without a "
            "judicial warrant: " + HOLDS_WARNING)
    return f"<table>{head}{''.join(rows)}</table><p class=note>{html.escape(note)}</p>"


def saved_config(run: Path):
    """A finished run's config as saved in its folder, checked against the schema."""
    return OmegaConf.merge(OmegaConf.structured(RunConfig), OmegaConf.load(run / "config.yaml"))


def make_report(folder: Path, baseline: str = "decoupled", costs: UnitCosts | None = None,
                runs: list[Path] | None = None) -> Path:
    """Write <folder>/report.html, and report.pdf where Chromium is installed, from one checked set of the
    folder's finished runs: the comparison and the figures are those made from exactly these runs (made again if
    they are missing, damaged or drawn from other runs). `costs` price officer hours and jail-days (default: those
    saved with the sweep's first run). `runs`: the checked set of finished runs to describe (default: all the
    folder's)."""
    folder = Path(folder)
    finished = complete_runs(folder) if runs is None else runs
    table = comparison_of(folder, finished, baseline)
    figures = figures_of(folder, finished, baseline)
    runs = [json.loads((r / "run.json").read_text()) for r in finished]
    policies = in_scenario_order(r["policy"] for r in runs)
    seeds = sorted({r["seed"] for r in runs})
    residents = sorted({r["residents"] for r in runs})
    days = sorted({r["days"] for r in runs})
    saved = saved_config(finished[0])
    params = to_model_params(saved)[0]
    drop = params.outcomes.less_likely_drop
    costs = costs or OmegaConf.to_object(saved).costs
    if not costs.jail_day_year:   # a sweep run before unit costs were part of the config
        costs = load_costs("national")
    size = ", ".join(f"{n:,}" for n in residents)
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>Community trust: scenario comparison"
             f"</title><style>{STYLE}</style></head><body>",
             "<h1>Immigration enforcement and public safety: what the simulation shows</h1>",
             f"<p class=note>{date.today().isoformat()} &middot; a city of {size} residents &middot; {len(policies)} "
             f"scenarios, each run {len(seeds)} times ({len(runs)} simulated years of {', '.join(map(str, days))} "
             f"days) &middot; compared with: {html.escape(label(baseline))}</p>",
             "<p>An agent-based simulation of one city: residents of mixed immigration status in households and "
             "neighbourhoods, officers with limited hours, and the federal immigration agency. Each scenario is a set "
             "of local choices (whether officers ask about status, whether the jail shares fingerprints and honours "
             "immigration holds, whether victims and witnesses are protected). Nothing below is written into the "
             "model: fear, trust, reporting, clearance and victimization follow from the rules, with their sources "
             "in the project's docs. The numbers depend on assumptions listed at the end; treat them as a way to "
             "compare scenarios, not as forecasts. Terms are explained in the glossary at the end.</p>",
             "<h2>Key findings</h2>", _items(key_findings(table), "ol"),
             f"<p class=note>{html.escape(less_likely_meaning(drop))} Shares are compared in percentage points "
             "(7 points lower) and as a relative change (16% fewer). Each run is one simulated year with its own "
             "random draws; a difference is clear when its 95% interval over the runs leaves out zero.</p>",
             "<h2>Headline outcomes</h2>", resolution_summary(table, len(seeds), residents[0]),
             headline_table(table, len(seeds), residents[0]),
             f"<p class=note>Per year, for a city of {size} residents. Intervals are 95% confidence intervals "
             "across runs; differences from the baseline are paired by run (the same random draws). When a "
             "difference is not clear, the estimate of what would resolve it assumes the interval narrows with the "
             "square root of the number of runs (or of residents).</p>",
             "<h2>What it costs the locality</h2>", cost_table(table, costs),
             "<h2>Reading the numbers</h2>", "".join(f"<p>{html.escape(s)}</p>" for s in surprises(table, drop)),
             "<h2>Figures</h2>"]
    for png in sorted(figures.glob("*.png")):
        data = base64.b64encode(png.read_bytes()).decode()
        caption = CAPTIONS.get(png.stem, "")
        parts.append(f"<figure><img alt='{html.escape(caption)}' src='data:image/png;base64,{data}'>"
                     f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    parts.append("<h2>The scenarios</h2><dl class=scenarios>")
    for p in policies:
        text = cite_titles(scenarios.description(p)) or "(not a scenario file of this project)"
        parts.append(f"<dt><b>{html.escape(label(p))}</b></dt><dd>{html.escape(text)}</dd>")
    parts += ["</dl>", "<h2>Main assumptions</h2>",
              "<p>Values no published source fixes, set by judgement or by fitting the model to published "
              "figures; vary them to see how much a conclusion depends on them (docs/parameters.md in the "
              "project lists every parameter with its source):</p>", _items(plain_assumptions(params)),
              "<h2>Glossary</h2>", glossary_list(drop), "</body></html>"]
    out = write_atomically(folder / "report.html", lambda path: path.write_text("\n".join(parts)))
    print_pdf(out)
    return out


def print_pdf(page: Path) -> Path | None:
    """report.pdf beside the page, printed by headless Chromium where it is installed (else None)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        return None
    pdf = page.with_suffix(".pdf")

    def printed(path: Path) -> None:
        with tempfile.TemporaryDirectory() as profile:
            subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                            "--no-first-run", "--disable-component-update", "--disable-sync",
                            f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={path}",
                            page.resolve().as_uri()], capture_output=True, timeout=180, check=False)
        if not path.exists():
            raise FileNotFoundError(path)

    try:
        return write_atomically(pdf, printed)
    except FileNotFoundError:   # Chromium could not print it: the page stands alone
        return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--baseline", default="decoupled")
    parser.add_argument("--costs", default=None, help="unit costs from conf/costs/<name>.yaml (default: those the "
                                                      "sweep's runs were configured with)")
    args = parser.parse_args(argv)
    require_runs(args.folder, "report", args.baseline)
    try:
        costs = load_costs(args.costs) if args.costs else None
    except ParameterError as err:
        sys.exit(f"report: {err}")
    try:
        print(make_report(args.folder, args.baseline, costs))
    except OSError as err:
        cannot_write("report", err)


if __name__ == "__main__":
    main()
