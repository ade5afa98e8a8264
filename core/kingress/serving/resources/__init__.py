"""Pure builders of the objects the serving controllers own.

Each ``make_*`` takes typed API objects and returns the desired child, with no
cluster access and no clock: the same input always gives the same output, so
the builders are tested on their own and the reconcilers only diff and apply.
"""
