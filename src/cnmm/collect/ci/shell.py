"""Shell scripts -> simple commands (argument vectors), the way a shell would split them.

Only real commands become evidence, so a script is tokenised rather than searched: quotes are
removed (`echo "pytest"` is the command `echo` with the argument `pytest`), `#` comments and
here-documents are dropped (a comment or a heredoc that mentions cosign runs nothing), line
continuations are joined, and `&&`, `||`, `;`, `|`, `&`, newlines and subshell parentheses
separate commands. Command substitutions (`$(...)`, backticks, `<(...)`) become commands of
their own. `${...}` and GitHub `${{ ... }}` expressions stay inside their word.

This is not a full shell: it never expands variables or runs anything. Unbalanced quotes
take the rest of the script as one word rather than failing.
"""

from __future__ import annotations

from dataclasses import dataclass

_OPERATORS = ";&|"
_BLANKS = " \t\r"


@dataclass(frozen=True)
class Command:
    """One simple command: its words (quotes removed) and its 0-based line in the script."""

    argv: tuple[str, ...]
    line: int


@dataclass
class _Frame:
    """A command being read; substitutions suspend the outer one in a stack of frames."""

    opener: str  # "" (top level), "$(" or "`"
    words: list[str]
    word: list[str] | None = None
    line: int | None = None
    skip_target: bool = False
    parens: int = 0  # plain "(" opened inside this frame


class _Splitter:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 0
        self.commands: list[Command] = []
        self.frames = [_Frame("", [])]
        self.heredocs: list[tuple[str, bool]] = []

    @property
    def frame(self) -> _Frame:
        return self.frames[-1]

    def add(self, chars: str) -> None:
        frame = self.frame
        if frame.word is None:
            frame.word = []
            if not frame.words and not frame.skip_target:
                frame.line = self.line
        frame.word.append(chars)

    def end_word(self) -> None:
        frame = self.frame
        if frame.word is None:
            return
        text = "".join(frame.word)
        frame.word = None
        if frame.skip_target:
            frame.skip_target = False
            return
        frame.words.append(text)

    def end_command(self) -> None:
        self.end_word()
        frame = self.frame
        if frame.words:
            line = frame.line if frame.line is not None else self.line
            self.commands.append(Command(tuple(frame.words), line))
        frame.words = []
        frame.line = None
        frame.skip_target = False

    def open_substitution(self, opener: str) -> None:
        self.frames.append(_Frame(opener, []))

    def close_substitution(self) -> None:
        self.end_command()
        self.frames.pop()
        self.add("$()")  # the outer word keeps a placeholder for the substituted text

    def read_until(self, start: int, closer: str) -> int:
        """Index just past the matching `closer` ("}" or "))"), counting nesting."""
        opener = "{" if closer == "}" else "("
        depth = 0
        i = start
        while i < len(self.text):
            ch = self.text[i]
            if ch == opener:
                depth += 1
            elif ch == closer[0]:
                depth -= 1
                if depth <= 0 and self.text.startswith(closer, i):
                    return i + len(closer)
            i += 1
        return len(self.text)

    def skip_heredocs(self) -> None:
        """After a newline: drop the bodies of pending here-documents."""
        for delimiter, strip_tabs in self.heredocs:
            while self.pos < len(self.text):
                end = self.text.find("\n", self.pos)
                end = len(self.text) if end < 0 else end
                body_line = self.text[self.pos : end]
                self.pos = end + 1
                self.line += 1
                candidate = body_line.lstrip("\t") if strip_tabs else body_line
                if candidate.rstrip("\r") == delimiter:
                    break
        self.heredocs = []

    def heredoc(self) -> None:
        """At `<<`: remember the delimiter; the body is skipped at the next newline."""
        text = self.text
        i = self.pos + 2
        strip_tabs = i < len(text) and text[i] == "-"
        if strip_tabs:
            i += 1
        while i < len(text) and text[i] in _BLANKS:
            i += 1
        delimiter: list[str] = []
        while i < len(text) and text[i] not in _BLANKS + "\n;&|<>()":
            if text[i] not in "'\"\\":
                delimiter.append(text[i])
            i += 1
        self.pos = i
        if delimiter:
            self.heredocs.append(("".join(delimiter), strip_tabs))

    def redirection(self) -> None:
        frame = self.frame
        text = self.text
        if frame.word is not None and "".join(frame.word).isdigit():
            frame.word = None  # a file-descriptor number (`2>`), not an argument
        else:
            self.end_word()
        if text.startswith("<<<", self.pos):
            self.pos += 3
            frame.skip_target = True
            return
        if text.startswith("<<", self.pos):
            self.heredoc()
            return
        if self.pos + 1 < len(text) and text[self.pos + 1] == "(":
            self.pos += 2  # process substitution <(...) / >(...)
            self.open_substitution("$(")
            return
        while self.pos < len(text) and text[self.pos] in "<>&|":
            self.pos += 1
        frame.skip_target = True

    def single_quoted(self) -> None:
        end = self.text.find("'", self.pos + 1)
        end = len(self.text) if end < 0 else end
        content = self.text[self.pos + 1 : end]
        self.add(content)
        self.line += content.count("\n")
        self.pos = end + 1

    def double_quoted(self) -> None:
        text = self.text
        i = self.pos + 1
        out: list[str] = []
        while i < len(text) and text[i] != '"':
            if text[i] == "\\" and i + 1 < len(text):
                nxt = text[i + 1]
                if nxt == "\n":
                    self.line += 1
                elif nxt in '"\\$`':
                    out.append(nxt)
                else:
                    out.append("\\" + nxt)
                i += 2
                continue
            if text[i] == "\n":
                self.line += 1
            out.append(text[i])
            i += 1
        self.add("".join(out))
        self.pos = i + 1

    def run(self) -> list[Command]:
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            nxt = text[self.pos + 1] if self.pos + 1 < len(text) else ""
            frame = self.frame
            if ch == "\\":
                if nxt == "\n":
                    self.line += 1
                elif nxt == "\r" and text[self.pos + 2 : self.pos + 3] == "\n":
                    self.line += 1
                    self.pos += 1
                elif nxt:
                    self.add(nxt)
                self.pos += 2
            elif ch == "'":
                self.single_quoted()
            elif ch == '"':
                self.double_quoted()
            elif ch == "#" and frame.word is None:
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif ch == "$" and nxt == "(" and text[self.pos + 2 : self.pos + 3] == "(":
                end = self.read_until(self.pos + 1, "))")
                self.add(text[self.pos : end])
                self.line += text.count("\n", self.pos, end)
                self.pos = end
            elif ch == "$" and nxt == "(":
                self.pos += 2
                self.open_substitution("$(")
            elif ch == "$" and nxt == "{":
                end = self.read_until(self.pos + 1, "}")
                self.add(text[self.pos : end])
                self.line += text.count("\n", self.pos, end)
                self.pos = end
            elif ch == "`":
                self.pos += 1
                if frame.opener == "`":
                    self.close_substitution()
                else:
                    self.open_substitution("`")
            elif ch == "(":
                if frame.word is not None and "".join(frame.word).endswith("="):
                    end = self.read_until(self.pos, ")")  # array assignment a=(x y)
                    self.add(text[self.pos : end])
                    self.pos = end
                    continue
                self.end_command()
                frame.parens += 1
                self.pos += 1
            elif ch == ")":
                self.pos += 1
                if frame.parens == 0 and frame.opener == "$(":
                    self.close_substitution()
                else:
                    self.end_command()
                    frame.parens = max(0, frame.parens - 1)
            elif ch in "<>" or (ch == "&" and nxt == ">"):
                self.redirection()
            elif ch in _OPERATORS:
                self.end_command()
                while self.pos < len(text) and text[self.pos] in _OPERATORS:
                    self.pos += 1
            elif ch == "\n":
                self.end_command()
                self.pos += 1
                self.line += 1
                if self.heredocs:
                    self.skip_heredocs()
            elif ch in _BLANKS:
                self.end_word()
                self.pos += 1
            else:
                self.add(ch)
                self.pos += 1
        while len(self.frames) > 1:
            self.close_substitution()
        self.end_command()
        return self.commands


def split_commands(script: str) -> list[Command]:
    """The simple commands of a shell script, in order, with their 0-based lines."""
    return _Splitter(script).run()
