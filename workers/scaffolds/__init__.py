"""Scaffolds: how an agent acts on a task (a ReAct loop, the oracle, the null agent)."""
