"""YAML from untrusted files (task.yaml, METR manifests, run files), with bounded expansion.

YAML aliases share one node, so a few hundred bytes of nested anchors compose cheaply but expand
to billions of values the moment anything walks or prints the result (the "billion laughs").
`load_yaml` composes the document first, counts what it would expand to (an alias counts as
everything it names, a cycle as too much) and builds Python objects only within the bound. Task
files need no anchors, but hand-written manifests use a few, so they are allowed within it.

It lives in `analysis`, the bottom layer (which imports nothing else of the project), because the
analysis reads release-date files with it; `core` and `web` use it from here.
"""

from __future__ import annotations

import reprlib
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

# Nodes after expanding aliases. A 1 MB task.yaml without aliases has far fewer.
MAX_YAML_NODES = 200_000
MAX_YAML_ALIASES = 1_000


class YAMLTooLarge(yaml.YAMLError):
    """The document expands past the bound; a YAMLError so callers' existing handlers apply."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class _CountingLoader(yaml.SafeLoader):
    """SafeLoader that counts aliases as it composes (refusing early past MAX_YAML_ALIASES)."""

    aliases = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                raise YAMLTooLarge(f"uses more than {MAX_YAML_ALIASES:,} aliases (*name)")
        return super().compose_node(parent, index)


def _expanded_size(root: Node, limit: int) -> int:
    """Nodes `root` stands for once aliases are expanded; stops counting past `limit`."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in on_path:
            raise YAMLTooLarge("refers to itself through an alias")
        on_path.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            children: list[Node] = list(node.value)
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            children = []
        for child in children:
            total += size(child)
            if total > limit:
                break
        on_path.discard(key)
        sizes[key] = total
        return total

    return size(root)


def load_yaml(text: str) -> Any:
    """Like `yaml.safe_load`, but raises `YAMLTooLarge` (a `yaml.YAMLError`) for a document that
    expands past MAX_YAML_NODES nodes or uses more than MAX_YAML_ALIASES aliases."""
    loader = _CountingLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, MAX_YAML_NODES) > MAX_YAML_NODES:
            raise YAMLTooLarge(f"expands to more than {MAX_YAML_NODES:,} values through its aliases")
        return loader.construct_document(node)
    except RecursionError:
        raise YAMLTooLarge("nests too deeply") from None
    finally:
        loader.dispose()


def short_repr(value: Any, limit: int = 80) -> str:
    """A repr for error messages, at most `limit` characters: an input's full repr can be huge
    (a shared, nested value prints every copy). reprlib caps nesting and items before printing."""
    text = _REPR.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother = 3, 80, 80
