"""YAML read safely: plain data and the line of every value, within limits.

PyYAML's safe loader still follows aliases without limit (a 371-byte "billion laughs" file
grows to gigabytes), recurses once per level of nesting (50,000 ``[`` end in a
RecursionError) and builds whatever an explicit tag asks for (``!!int abc`` raises a
ValueError). Here the document is composed into nodes with a bounded nesting depth and
number of aliases, explicit tags are refused, and the nodes become plain data with a bounded
number of values: every problem is one located line.
"""

from __future__ import annotations

from typing import Any

import yaml

from auditapp.errors import ValidationError
from auditapp.rules.limits import YAML_ALIASES, YAML_DEPTH, YAML_VALUES

#: The path of a value in the document (keys and list positions) -> its line.
Lines = dict[tuple[Any, ...], int]


class _Refused(Exception):
    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.line = mark.line + 1 if mark is not None else 1


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader's composer, stopping at too deep a nesting, too many aliases, or an
    explicit tag."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > YAML_ALIASES:
                raise _Refused(event.start_mark, f"more than {YAML_ALIASES} aliases (*name); "
                               "write the values out instead")
            return super().compose_node(parent, index)
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            raise _Refused(event.start_mark, f"YAML tags such as '{shown}' are not used in "
                           "templates; remove it")
        self._depth += 1
        try:
            if self._depth > YAML_DEPTH:
                raise _Refused(event.start_mark, f"nested more than {YAML_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _scalar(node: yaml.ScalarNode) -> Any:
    """A scalar as YAML reads it unquoted (numbers, true/false, null), else its text."""
    try:
        return _CONSTRUCTOR.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, AttributeError):
        return node.value  # an impossible date, a number too long: validation says why


class _Converter:
    """Nodes to plain data, noting lines, counting values, refusing cycles and duplicates."""

    def __init__(self) -> None:
        self.lines: Lines = {}
        self._values = 0

    def convert(self, node: yaml.Node, path: tuple[Any, ...], depth: int = 0) -> Any:
        self._values += 1
        if self._values > YAML_VALUES:
            raise _Refused(node.start_mark, f"more than {YAML_VALUES:,} values once aliases "
                           "are followed")
        if depth > YAML_DEPTH:
            raise _Refused(node.start_mark, f"nested more than {YAML_DEPTH} levels deep "
                           "once aliases are followed")
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, i), depth + 1)
                    for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return _scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: tuple[Any, ...], depth: int
                 ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused(key_node.start_mark, "a field name must be a single word or "
                               "phrase, not a list or a mapping")
            key = str(_scalar(key_node))  # a field name is text, whatever YAML reads (NO: false)
            if key in result:
                raise _Refused(key_node.start_mark, f"the field '{key}' is given twice")
            self.lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = self.convert(value_node, (*path, key), depth + 1)
        return result


def read_yaml(text: str, source: str) -> tuple[Any, Lines]:
    """Parse one YAML document into plain data and the line of every value (for a mapping's
    value, the line of its key, where a reader looks for the field). Raises
    :class:`~auditapp.errors.ValidationError` naming ``source`` and the line."""
    try:
        loader = _BoundedLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
        if node is None:
            raise ValidationError(f"{source} is empty",
                                  [f"{source}:1: the file holds no template"])
        converter = _Converter()
        data = converter.convert(node, ())
    except _Refused as exc:
        raise ValidationError(f"{source} is refused", [f"{source}:{exc.line}: {exc}"]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ValidationError(f"{source} is not valid YAML",
                              [f"{source}:{line}: {exc.problem or exc}"]) from None
    except yaml.YAMLError as exc:
        raise ValidationError(f"{source} is not valid YAML", [f"{source}: {exc}"]) from None
    return data, converter.lines
