"""Plain words for a workshop: the terms a resident of the city may not know, and the source documents by title.

The report (and anything else written for a public audience) uses these; the definitions follow the source
documents in docs/sources/seeds/ and the model's own rules (docs/ODD.md).
"""

from __future__ import annotations

import re

GLOSSARY = {
    "ICE": "U.S. Immigration and Customs Enforcement, the federal agency that arrests, detains and removes "
           "people under immigration law.",
    "DHS": "The U.S. Department of Homeland Security, of which ICE is part. Fingerprints taken at a local jail "
           "can be checked against its records.",
    "Removal": "Deportation: a person is taken out of the country by the federal government. In the model, a "
               "removed resident leaves the city and their household.",
    "Detainer (hold)": "A request from ICE that the local jail keep a person for up to 48 hours after they would "
                       "otherwise be released, so that ICE can take them into custody. Holding someone without a "
                       "judge's finding of probable cause has been ruled unconstitutional; the locality carries "
                       "the liability.",
    "Notification": "A request from ICE that the jail tell it when a person will be released, without holding "
                    "them longer (used under the Priority Enforcement Program).",
    "Judicial warrant": "An order signed by a judge. An ICE detainer is not one; some localities honour ICE "
                        "requests only when one comes with it.",
    "287(g)": "A written agreement (section 287(g) of the Immigration and Nationality Act, 1996) under which "
              "trained local officers do immigration work for ICE.",
    "Jail model": "The 287(g) form in which trained officers ask the immigration status of people booked into "
                  "the jail.",
    "Task force": "The 287(g) form in which officers also ask status on patrol, during stops on the street.",
    "Secure Communities": "The federal program (2008-2014, again from 2017) that sends the fingerprints of "
                          "everyone booked into a local jail to DHS, so ICE learns of people it may want to "
                          "remove.",
    "PEP": "The Priority Enforcement Program (2015-2017), which replaced Secure Communities: fingerprints are "
           "still shared, but ICE mostly asks for notifications and pursues people with serious convictions.",
    "Community trust policy": "A local policy limiting what officers and the jail do for immigration enforcement "
                              "(e.g. no status questions, honouring ICE requests only with a judicial warrant).",
    "Mixed-status household": "A household in which some members are citizens or lawful residents and others "
                              "are undocumented.",
    "Clearance": "A reported crime is cleared when police identify and arrest a suspect (or close the case for "
                 "reasons outside their control).",
    "Victimization": "A crime against a resident, whether or not it is reported to police.",
    "Jail-day": "One person held in the local jail for one day.",
    "Officer hours on immigration work": "Hours officers spend asking about status, screening people at booking "
                                         "and processing ICE requests, instead of patrol and investigation.",
    "Less likely to call": "A resident whose chance of reporting a violent crime against them is more than {drop:.0%} "
                           "below what it would be if they feared no immigration consequences.",
    "Percentage points": "The difference between two percentages: from 43% to 36% is 7 points lower, which is "
                         "16% fewer (7 / 43).",
    "Run (simulated year)": "One simulation of the city for a year, with its own random draws. Each scenario "
                            "is run several times; the results are averaged over runs.",
    "95% interval": "The range the average over runs is likely to be in, given how much the runs differ from "
                    "each other. A difference whose interval includes zero is not clear at this size.",
}



def glossary(drop: float) -> dict[str, str]:
    """The glossary with the run's "less likely to call" cut-off (outcomes.less_likely_drop)."""
    return {term: text.format(drop=drop) if "{drop" in text else text for term, text in GLOSSARY.items()}


# The source documents (docs/sources/seeds/README.md), by the number the configs cite them with.
SOURCES = {
    "000": "Police Foundation, The Role of Local Police (2009)",
    "001": "Police Foundation, The Role of Local Police (2009)",
    "002": "PERF, Police and Immigration (2011)",
    "003": "Center for American Progress, Federal-Local Coordination on Immigration Enforcement (2015)",
    "004": "Transforming the System (policy platform)",
}

_CITATION = re.compile(r"\b[Ss]eeds? (\d{3}(?:(?:, | and )\d{3})*)")


def cite_titles(text: str) -> str:
    """'Seed 003: ...' -> 'Center for American Progress, Federal-Local Coordination ... (2015): ...'."""
    def titles(match: re.Match) -> str:
        numbers = re.findall(r"\d{3}", match.group(1))
        return "; ".join(dict.fromkeys(SOURCES.get(n, f"source document {n}") for n in numbers))
    return _CITATION.sub(titles, text)
