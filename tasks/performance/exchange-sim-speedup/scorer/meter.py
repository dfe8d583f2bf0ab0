"""Counts the work a Python call does, deterministically: one step for every function call and
every line executed in Python code (yours, and the standard library's Python code alike), as
sys.settrace reports them. Work done inside built-in functions written in C costs nothing here,
but every Python function they call back (a key function, a __eq__ method) does.

    from meter import count_steps
    result, steps = count_steps(function, arg1, arg2)

The scorer measures your code the same way, with its own copy of this file.
"""

import sys


class BudgetExceeded(BaseException):
    """Raised inside the measured call when it uses more steps than its budget."""


def count_steps(function, *args, budget=None):
    """Call function(*args) under the tracer; return (result, steps). With a budget, stop the
    call as soon as it has used more than that many steps and raise BudgetExceeded."""
    steps = 0
    limit = budget if budget is not None else float("inf")

    def local(frame, event, arg):
        nonlocal steps
        if event == "line":
            steps += 1
            if steps > limit:
                raise BudgetExceeded(f"more than {budget} steps")
        return local

    def on_call(frame, event, arg):
        nonlocal steps
        steps += 1
        if steps > limit:
            raise BudgetExceeded(f"more than {budget} steps")
        return local

    sys.settrace(on_call)
    try:
        result = function(*args)
    finally:
        sys.settrace(None)
    if steps > limit:
        raise BudgetExceeded(f"more than {budget} steps")
    return result, steps
