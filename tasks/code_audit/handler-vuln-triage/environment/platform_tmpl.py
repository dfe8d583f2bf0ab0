"""A small template language: {{ name }} or {{ name.field.subfield }} is replaced by the value
found by walking dict keys from the context; unknown names render as an empty string. Values
are inserted as text and never rendered again."""

import re

_TAG = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}")


def _lookup(context, dotted):
    value = context
    for key in dotted.split("."):
        if not isinstance(value, dict) or key not in value:
            return ""
        value = value[key]
    return "" if isinstance(value, dict) else str(value)


def render(template, context):
    return _TAG.sub(lambda m: _lookup(context, m.group(1)), template)
