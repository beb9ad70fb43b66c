"""The run machinery: configs and their schema, one run and its folder, sweeps (checks, progress, resume,
the end-of-sweep callback, the launcher analyses use), tables and the scenario comparison."""
