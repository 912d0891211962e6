"""Simulation as a service feature: scenarios read from the recorded history (``history``,
fitted by ``fitting``) and simulation jobs run in the background for the API (``jobs``).
The engine itself is the pure ``sim`` package."""
