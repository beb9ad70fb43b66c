"""Experiments: Hydra configs into model parameters, runs into tables on disk, tables into summaries."""
