"""Programmes: several events under one goal ("Delft aan het werk 2026"), with the organiser's targets; what the
trajectories grow from. Their results are reported by events.results.
"""
