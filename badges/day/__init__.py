"""The event day: scanning and check-in, the live dashboard, the clock, walk-ins, the coach desk and the paper
fallback.
"""
