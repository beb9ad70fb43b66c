"""The analyses that run many sweeps: validation against published targets, calibration, sensitivity,
county histories, scenario discovery, and the generated parameter reference."""
