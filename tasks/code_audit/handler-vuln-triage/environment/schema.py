"""Tables of the resource modules (world.py creates them)."""

RESOURCES = ['refunds']
