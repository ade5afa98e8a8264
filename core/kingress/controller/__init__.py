"""Reconcilers and the machinery that runs them: clock, applier, settle loop."""
