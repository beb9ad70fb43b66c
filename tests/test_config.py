"""Configs: every scenario composes through Hydra into valid model parameters; generated docs are current."""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments.analyses.paramdoc import render
from experiments.api import compose
from experiments.runs.config import policy_names, to_model_params
from model import validate

ROOT = Path(__file__).resolve().parents[1]


def composed(*overrides: str):
    return compose(overrides)


def test_there_are_the_seven_scenarios_the_design_names():
    assert {"decoupled", "community_trust", "287g_jail", "287g_task_force", "secure_communities", "pep",
            "recommended_practice"} <= set(policy_names())


@pytest.mark.parametrize("name", policy_names())
def test_every_scenario_composes_and_validates(name):
    params, seed = to_model_params(composed(f"policy={name}", "seed=5"))
    validate(params)
    assert params.policy.name == name and seed == 5


def test_defaults_compose_to_the_model_defaults():
    from model import ModelParams
    params, _ = to_model_params(composed("policy=decoupled"))
    defaults = ModelParams()
    assert params.crime == defaults.crime and params.beliefs == defaults.beliefs and params.rules == defaults.rules


def test_timeline_names_become_policies():
    params, _ = to_model_params(composed("timeline=[{day: 180, policy: 287g_task_force}, {day: 300, policy: pep}]"))
    assert [(s.day, s.policy.name) for s in params.timeline] == [(180, "287g_task_force"), (300, "pep")]
    assert params.timeline[0].policy.status_questions == "stops"


def test_parameter_docs_are_current():
    assert (ROOT / "docs" / "parameters.md").read_text() == render(), \
        "docs/parameters.md is stale: run `python -m experiments.paramdoc > docs/parameters.md`"


def test_a_scenario_file_with_a_yaml_error_is_named_with_its_line(tmp_path, monkeypatch):
    from experiments.runs import config
    from model import ParameterError
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "broken.yaml").write_text("name: broken\nice_request: [detainer\n")
    monkeypatch.setattr(config, "CONF_DIR", tmp_path)
    with pytest.raises(ParameterError, match=r"conf/policy/broken.yaml: not valid YAML \(line 3"):
        config.load_policy("broken")              # as a timeline entry reads it
    with pytest.raises(ParameterError, match=r"broken.yaml: not valid YAML \(line 3"):
        config.check_yaml_files(tmp_path)         # as the command checks every file before Hydra reads one
