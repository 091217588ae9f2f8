"""A small, tolerant reader of HCL (Terraform, OpenTofu, Terragrunt) block structure (pure).

It tokenises real HCL — `#`, `//` and `/* */` comments, quoted strings with `${...}` and
`%{...}` templates (nested strings and braces included), heredocs (`<<EOT`, `<<-EOT`),
multi-line expressions inside brackets — and returns the blocks with their labels, the
attributes whose values are literal strings or object constructors, and the raw text of any
other expression. That is all cnmm needs (module sources and versions, required_providers,
backends) and it never gives up on a whole file: a construct it cannot follow is skipped up
to the end of the line, and reported. A full HCL evaluator (`python-hcl2`) was considered:
it needs the compiled `regex` package and an Earley/LALR grammar, for no gain here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n")


@dataclass(frozen=True)
class Token:
    """kind: ident, string, heredoc, number, punct, nl. `literal` is a string token's value
    when it has no template interpolation."""

    kind: str
    text: str
    line: int
    literal: str | None = None


@dataclass(frozen=True)
class Attribute:
    """`name = expression`: `literal` for a plain string, `items` for an object constructor,
    `raw` always (the expression's source text)."""

    name: str
    line: int
    raw: str
    literal: str | None = None
    items: dict[str, Attribute] | None = None


@dataclass
class Block:
    """`type "label"... { body }`."""

    type: str
    labels: tuple[str, ...]
    line: int
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def literal(self, name: str) -> str | None:
        """A literal string attribute (None when absent or not a literal)."""
        attribute = self.attributes.get(name)
        return attribute.literal if attribute else None


@dataclass
class HclFile:
    """Top-level blocks and attributes of one file, plus what could not be followed."""

    blocks: list[Block] = field(default_factory=list)
    attributes: dict[str, Attribute] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.tokens: list[Token] = []
        self.problems: list[str] = []

    def run(self) -> list[Token]:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char == "\n":
                self.tokens.append(Token("nl", "\n", self.line))
                self.line += 1
                self.pos += 1
            elif char in " \t\r\ufeff":
                self.pos += 1
            elif char == "#" or text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                end = len(text) if end < 0 else end + 2
                self.line += text.count("\n", self.pos, end)
                self.pos = end
            elif char == '"':
                self._string()
            elif text.startswith("<<", self.pos) and (match := _HEREDOC.match(text, self.pos)):
                self._heredoc(match)
            elif match := _IDENT.match(text, self.pos):
                self.tokens.append(Token("ident", match.group(), self.line))
                self.pos = match.end()
            elif match := _NUMBER.match(text, self.pos):
                self.tokens.append(Token("number", match.group(), self.line))
                self.pos = match.end()
            else:
                two = text[self.pos : self.pos + 2]
                if two in ("==", "!=", "<=", ">=", "&&", "||", "=>", "..."):
                    width = 3 if text.startswith("...", self.pos) else 2
                    self.tokens.append(Token("punct", text[self.pos : self.pos + width], self.line))
                    self.pos += width
                else:
                    self.tokens.append(Token("punct", char, self.line))
                    self.pos += 1
        return self.tokens

    def _string(self) -> None:
        """A quoted string, templates included; literal only when nothing is interpolated."""
        start, line = self.pos, self.line
        end, templated = _scan_string(self.text, self.pos)
        if end < 0:
            self.problems.append(f"line {line}: unterminated string")
            end = self.text.find("\n", self.pos)
            end = len(self.text) if end < 0 else end
            self.tokens.append(Token("string", self.text[start:end], line))
            self.pos = end
            return
        raw = self.text[start:end]
        self.line += raw.count("\n")
        literal = None if templated else _unescape(raw[1:-1])
        self.tokens.append(Token("string", raw, line, literal))
        self.pos = end

    def _heredoc(self, match: re.Match[str]) -> None:
        indent, word = match.group(1) == "-", match.group(2)
        line = self.line
        body_start = match.end()
        closing = re.compile(r"^[ \t]*" + re.escape(word) + r"[ \t]*\r?$", re.MULTILINE)
        found = closing.search(self.text, body_start)
        if found is None:
            self.problems.append(f"line {line}: heredoc <<{word} is never closed")
            end = len(self.text)
        else:
            end = found.end()
        raw = self.text[self.pos : end]
        body = self.text[body_start : found.start() if found else end]
        if indent:
            body = "\n".join(part.lstrip() for part in body.split("\n"))
        self.line += raw.count("\n")
        self.tokens.append(Token("heredoc", raw, line, body))
        self.pos = end


def _scan_string(text: str, pos: int) -> tuple[int, bool]:
    """End (exclusive) of the string starting at `pos`, and whether it has templates."""
    index = pos + 1
    templated = False
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == '"':
            return index + 1, templated
        if char == "\n":
            return -1, templated  # quoted strings cannot span lines
        if char in "$%" and text.startswith("{", index + 1):
            if text.startswith(char * 2, index - 1) and index > pos + 1:
                index += 2  # "$${" is an escaped literal "${"
                continue
            templated = True
            index = _scan_template(text, index + 2)
            if index < 0:
                return -1, templated
            continue
        index += 1
    return -1, templated


def _scan_template(text: str, index: int) -> int:
    """Index after the `}` closing a template that starts at `index`."""
    depth = 1
    while index < len(text):
        char = text[index]
        if char == '"':
            end, _ = _scan_string(text, index)
            if end < 0:
                return -1
            index = end
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return -1


def _unescape(body: str) -> str:
    if "\\" not in body and "$${" not in body and "%%{" not in body:
        return body
    replacements = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            out.append(replacements.get(body[index + 1], body[index + 1]))
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out).replace("$${", "${").replace("%%{", "%{")


_OPEN = {"(": ")", "[": "]", "{": "}"}


class _Parser:
    def __init__(self, tokens: list[Token], text: str, problems: list[str]) -> None:
        self.tokens = tokens
        self.text = text
        self.pos = 0
        self.problems = problems

    def peek(self, offset: int = 0) -> Token | None:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def body(self, closing: bool) -> tuple[dict[str, Attribute], list[Block]]:
        attributes: dict[str, Attribute] = {}
        blocks: list[Block] = []
        while (token := self.peek()) is not None:
            if token.kind == "nl":
                self.pos += 1
                continue
            if token.kind == "punct" and token.text == "}":
                if closing:
                    self.pos += 1
                    return attributes, blocks
                self.problems.append(f"line {token.line}: unexpected '}}'")
                self.pos += 1
                continue
            if token.kind == "ident":
                following = self.peek(1)
                if following is not None and following.kind == "punct" and following.text == "=":
                    self.pos += 2
                    attributes[token.text] = self.expression(token.text, token.line)
                    continue
                block = self.block()
                if block is not None:
                    blocks.append(block)
                continue
            self.problems.append(f"line {token.line}: unexpected {token.text.strip()!r}")
            self.skip_line()
        if closing:
            self.problems.append("unexpected end of file: a block is not closed")
        return attributes, blocks

    def block(self) -> Block | None:
        first = self.tokens[self.pos]
        self.pos += 1
        labels: list[str] = []
        while (token := self.peek()) is not None:
            if token.kind == "string":
                labels.append(token.literal if token.literal is not None else token.text)
                self.pos += 1
            elif token.kind == "ident":
                labels.append(token.text)
                self.pos += 1
            elif token.kind == "punct" and token.text == "{":
                self.pos += 1
                attributes, blocks = self.body(closing=True)
                return Block(first.text, tuple(labels), first.line, attributes, blocks)
            else:
                break
        self.problems.append(f"line {first.line}: cannot read {first.text!r} here")
        self.skip_line()
        return None

    def skip_line(self) -> None:
        depth = 0
        while (token := self.peek()) is not None:
            if token.kind == "nl" and depth <= 0:
                return
            if token.kind == "punct" and token.text in _OPEN:
                depth += 1
            elif token.kind == "punct" and token.text in (")", "]", "}"):
                if depth == 0:
                    return
                depth -= 1
            self.pos += 1

    def expression(self, name: str, line: int, in_object: bool = False) -> Attribute:
        """Tokens up to the end of the expression: newline, `,` or `}` at depth 0."""
        start = self.pos
        first = self.peek()
        if first is not None and first.kind == "punct" and first.text == "{":
            items = self.object()
            end = self.pos
            if self._at_end(in_object):
                return Attribute(name, line, self._raw(start, end), items=items)
        depth = 0
        while (token := self.peek()) is not None:
            if depth == 0 and (
                token.kind == "nl"
                or (token.kind == "punct" and token.text == "}")
                or (in_object and token.kind == "punct" and token.text == ",")
            ):
                break
            if token.kind == "punct" and token.text in _OPEN:
                depth += 1
            elif token.kind == "punct" and token.text in (")", "]", "}"):
                depth -= 1
            self.pos += 1
        tokens = self.tokens[start : self.pos]
        literal = None
        if len(tokens) == 1 and tokens[0].kind in ("string", "heredoc"):
            literal = tokens[0].literal
        return Attribute(name, line, self._raw(start, self.pos), literal=literal)

    def _at_end(self, in_object: bool) -> bool:
        token = self.peek()
        return (
            token is None
            or token.kind == "nl"
            or (token.kind == "punct" and (token.text == "}" or (in_object and token.text == ",")))
        )

    def object(self) -> dict[str, Attribute]:
        """`{ key = value, "key" : value ... }` (the opening brace is the current token)."""
        self.pos += 1
        items: dict[str, Attribute] = {}
        while (token := self.peek()) is not None:
            if token.kind == "nl" or (token.kind == "punct" and token.text == ","):
                self.pos += 1
                continue
            if token.kind == "punct" and token.text == "}":
                self.pos += 1
                return items
            key = token.literal if token.kind == "string" else token.text
            separator = self.peek(1)
            if (
                token.kind in ("ident", "string")
                and key is not None
                and separator is not None
                and separator.kind == "punct"
                and separator.text in ("=", ":")
            ):
                self.pos += 2
                items[key] = self.expression(key, token.line, in_object=True)
                continue
            self.skip_line()
            if self.peek() is not None and self.peek() == token:
                self.pos += 1
        return items

    def _raw(self, start: int, end: int) -> str:
        return " ".join(t.text for t in self.tokens[start:end] if t.kind != "nl").strip()


def parse_hcl(text: str) -> HclFile:
    """Blocks and attributes of an HCL file; problems are listed, never raised."""
    lexer = _Lexer(text)
    tokens = lexer.run()
    parser = _Parser(tokens, text, lexer.problems)
    attributes, blocks = parser.body(closing=False)
    return HclFile(blocks, attributes, parser.problems)


def parse_hcl_json(text: str) -> HclFile:
    """The same structure from Terraform's JSON syntax (`*.tf.json`)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        return HclFile(problems=[f"invalid JSON: {exc}"])
    result = HclFile()
    if not isinstance(data, dict):
        result.problems.append("top level is not an object")
        return result
    label_depth = {
        "module": 1,
        "provider": 1,
        "resource": 2,
        "data": 2,
        "variable": 1,
        "output": 1,
        "terraform": 0,
        "locals": 0,
    }
    for block_type, body in data.items():
        depth = label_depth.get(block_type, 0)
        for labels, content in _json_blocks(body, depth):
            result.blocks.append(_json_block(block_type, labels, content))
    return result


def _json_blocks(
    body: Any, depth: int, labels: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    items = body if isinstance(body, list) else [body]
    for item in items:
        if not isinstance(item, dict):
            continue
        if depth == 0:
            yield labels, item
            continue
        for key, value in item.items():
            yield from _json_blocks(value, depth - 1, (*labels, key))


# Nested blocks of the terraform block, as JSON keys: type -> label depth.
_JSON_NESTED = {"backend": 1, "cloud": 0, "required_providers": 0}


def _json_block(block_type: str, labels: tuple[str, ...], content: dict[str, Any]) -> Block:
    block = Block(block_type, labels, 1)
    for key, value in content.items():
        if block_type == "terraform" and key in _JSON_NESTED:
            for inner_labels, inner in _json_blocks(value, _JSON_NESTED[key]):
                block.blocks.append(_json_block(key, inner_labels, inner))
            continue
        block.attributes[key] = _json_attribute(key, value)
    return block


def _json_attribute(name: str, value: Any) -> Attribute:
    if isinstance(value, str):
        templated = "${" in value
        return Attribute(name, 1, json.dumps(value), None if templated else value)
    if isinstance(value, dict):
        items = {str(k): _json_attribute(str(k), v) for k, v in value.items()}
        return Attribute(name, 1, json.dumps(value), items=items)
    return Attribute(name, 1, json.dumps(value))
