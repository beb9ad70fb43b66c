"""The golden baseline: the summary tables of two scenarios at a fixed seed, stored in tests/data/golden/ and
compared by tests/test_golden.py, so that any change to what the model computes is seen: integers exactly;
floats exactly where the C library's exp, log and pow give the bits of the machine that blessed the baseline
(`model.elementary.fingerprint`, stored beside it), else within the bound README states for other C libraries
(`experiments.runs.testing.ACROSS_C_LIBRARIES`).

When a change to the model's results is intended, re-bless (and say why in the commit message):

    .venv/bin/python tests/golden.py --bless
"""

from __future__ import annotations

import argparse
import csv
import math
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "data" / "golden"
FINGERPRINT = FOLDER / "libc_math_fingerprint.txt"   # the C library's exp, log and pow where it was blessed
SCENARIOS = ("decoupled", "287g_task_force")
SETTINGS = ("population.size=2000", "days=120", "seed=7")


def summary(scenario: str) -> dict[str, list]:
    """The run's summary table as columns (through the same API and config as the command line)."""
    from experiments.api import simulate

    frame = simulate(f"policy={scenario}", *SETTINGS).summary
    return {name: frame[name].tolist() for name in frame.columns}


def path(scenario: str) -> Path:
    return FOLDER / f"summary_{scenario}.csv"


def write(scenario: str, table: dict[str, list]) -> None:
    """One row per column of the summary (column name, then one value per group), values written with repr so
    that reading them back gives the same floats, bit for bit."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    with path(scenario).open("w", newline="") as f:
        out = csv.writer(f)
        for name, values in table.items():
            out.writerow([name, *(repr(v) if isinstance(v, float) else v for v in values)])


def read(scenario: str) -> dict[str, list]:
    with path(scenario).open(newline="") as f:
        return {row[0]: [_value(v) for v in row[1:]] for row in csv.reader(f)}


def _value(text: str):
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def same_c_library(fingerprint_file: Path = FINGERPRINT) -> bool:
    """Whether this machine's C library gives exp, log and pow the bits of the machine that wrote a reference (the
    golden baseline's, by default)."""
    from model.elementary import fingerprint

    return fingerprint_file.read_text().strip() == fingerprint()


def float_bound(fingerprint_file: Path = FINGERPRINT) -> tuple[float, float] | None:
    """None (floats exactly) on a machine whose C library's exp, log and pow are the reference's, else the bound
    README states between C libraries."""
    from experiments.runs.testing import ACROSS_C_LIBRARIES

    return None if same_c_library(fingerprint_file) else ACROSS_C_LIBRARIES


def equal(a, b, bound: tuple[float, float] | None) -> bool:
    """Equal values (NaN equals NaN); floats within (relative, absolute) `bound` if one is given."""
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b or (bound is not None and math.isclose(a, b, rel_tol=bound[0], abs_tol=bound[1]))
    return a == b


def differences(stored: dict[str, list], now: dict[str, list], bound: tuple[float, float] | None = None) -> list[str]:
    """Every column that is missing, new or not equal (floats within `bound`, if given), in words."""
    out = [f"{name}: no longer in the summary" for name in stored.keys() - now.keys()]
    out += [f"{name}: new in the summary" for name in now.keys() - stored.keys()]
    for name in stored.keys() & now.keys():
        same = len(stored[name]) == len(now[name]) and all(equal(a, b, bound) for a, b in zip(stored[name], now[name]))
        if not same:
            out.append(f"{name}: stored {stored[name][:4]}..., now {now[name][:4]}...")
    return sorted(out)


def main() -> None:
    parser = argparse.ArgumentParser(description="Compare (default) or re-bless the golden baseline.")
    parser.add_argument("--bless", action="store_true", help="store the current results as the baseline")
    args = parser.parse_args()
    if args.bless:
        from model.elementary import fingerprint

        FOLDER.mkdir(parents=True, exist_ok=True)
        FINGERPRINT.write_text(fingerprint() + "\n")
    for scenario in SCENARIOS:
        table = summary(scenario)
        if args.bless:
            write(scenario, table)
            print(f"blessed {path(scenario)}")
        else:
            found = differences(read(scenario), table, float_bound())
            print(f"{scenario}: " + ("identical" if not found else "\n  ".join(["differs:", *found])))


if __name__ == "__main__":
    main()
