"""Hydra plugins of the community trust model (Hydra finds plugins in the `hydra_plugins` namespace)."""
