"""The model's main assumptions in plain words, with the values of the run they describe.

For a workshop audience: no config keys, log-odds or distribution names. Each sentence computes what a
value means for a resident from the model's own functions (e.g. the chance to call at a given fear), so
it stays true when a value is overridden. docs/parameters.md lists every parameter with its source.
"""

from __future__ import annotations

import numpy as np

from model import ModelParams
from model.rules.reporting import reporting_probability


def chance_to_call(p: ModelParams, fear: float = 0.0, trust_above: float = 0.0,
                   knows_protection: bool = False) -> float:
    """A resident's chance to report a violent crime at a given fear and trust above the average."""
    ref = p.beliefs.initial_trust_mean
    return float(reporting_probability(p.reporting.violent_base, np.array([ref + trust_above]), np.array([fear]),
                                       np.array([1.0 if knows_protection else 0.0]), knows_protection, p.reporting,
                                       ref)[0])


def plain_assumptions(p: ModelParams) -> list[str]:
    """The assumptions no published source fixes and that move the results most (docs/validation.md), in
    plain words with their values."""
    r, b, c, e, pol = p.reporting, p.beliefs, p.crime, p.enforcement, p.policing
    base = chance_to_call(p)
    tolerance = (f" Fear below {r.fear_tolerance:.2f} on a 0-1 scale changes nothing: a worried resident still "
                 "calls." if r.fear_tolerance > 0 else "")
    return [
        f"Fear of immigration consequences lowers a victim's chance to call the police: from {base:.0%} with no "
        f"fear to {chance_to_call(p, 0.1):.0%} at a fear of 0.1 and {chance_to_call(p, 0.3):.0%} at 0.3 (on a 0-1 "
        f"scale).{tolerance} Knowing that victims and witnesses are protected raises that last chance to "
        f"{chance_to_call(p, 0.3, knows_protection=True):.0%}.",
        f"Trust in the police raises it: a resident whose trust is 0.1 above the average calls with a chance of "
        f"{chance_to_call(p, trust_above=0.1):.0%} instead of {base:.0%}.",
        f"Residents who do not know the local policy imagine the risk that a police contact leads to immigration "
        f"consequences as {b.risk_amplification:.1f} times what it is; {b.initial_knowledge:.0%} of residents "
        "know the local policy at the start.",
        f"Residents close to someone at risk of removal take on {b.tie_vulnerability:.0%} of that person's risk; "
        f"{pol.profiled_label.capitalize()} residents, whatever their status, at least {b.profiled_vulnerability:.0%}"
        " of an undocumented resident's risk (they may be asked about status or held by mistake).",
        f"A bad contact with the police weighs {b.trust_asymmetry:.0f} times a good one (Skogan 2006 found 4 to "
        "14 times).",
        f"Where neighbours stop calling, offenders are less deterred: if the share of crimes nobody would report "
        f"rises by a tenth, offending there rises by {1.1 ** c.reporting_deterrence - 1:.0%}.",
        f"Police clear {pol.clearance_violent:.0%} of reported violent crimes without a cooperating witness and "
        f"{min(1.0, pol.clearance_violent + pol.witness_clearance_boost):.0%} with one.",
        f"DHS's records hold the status of {e.db_match_rate:.0%} of the people ICE could remove; "
        f"{e.warrant_share:.0%} of ICE's requests come with a judicial warrant; ICE takes custody at the end of "
        f"{e.pickup_after_hold:.0%} of honoured holds.",
        f"Each ICE request takes {pol.hours_per_ice_request:g} officer hours to process, a status question "
        f"{pol.hours_per_status_check:g} hours, a 287(g) screening at booking {pol.hours_per_booking_screen:g} "
        "hours.",
    ]
