"""Jenkins: declarative (and scripted) Jenkinsfiles, read as Groovy text without Groovy.

A small lexer removes `//` and `/* */` comments and reads string literals ('...', "...",
'''...''', \"\"\"...\"\"\"), keeping the line of each token. Then steps are recognised by
their call shape: `sh 'cmd'`, `sh "cmd"`, `sh('''...''')`, `sh(script: '...')`,
`sh label: 'x', script: "..."`, and the same for `bat`, `powershell` and `pwsh`; their
strings are shell scripts for `cnmm.collect.ci.commands`. A few plugin steps are known by
name: `docker.build(...)` (image build), `kubernetesDeploy(...)` (deploy),
`dependencyCheck(...)` (OWASP Dependency-Check), `snykSecurity(...)` (Snyk),
`buildPlugin(...)`/`buildPluginWithGradle(...)` (the Jenkins plugin build, which runs the
plugin's tests).

`stage('name') { ... }` blocks name the jobs; a `when { branch 'main' }`,
`when { changeRequest() }` or `when { buildingTag() }`/`tag '...'` narrows a stage's
triggers. Without conditions a Jenkinsfile is built for every branch and pull request by
a multibranch job (how most Jenkinsfiles run), plus `triggers { cron(...) }` schedules.
Groovy string interpolation (`${...}`) stays in the text and is never evaluated.
An unterminated string or comment makes the file an error (with the line).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from cnmm.collect.ci._draft import Context, JobDraft, PipelineDraft
from cnmm.collect.ci.tools import Found
from cnmm.facts.ci import (
    BRANCH,
    DEPLOY,
    IMAGE_BUILD,
    PULL_REQUEST,
    PUSH,
    SCHEDULE,
    TAG,
    TEST,
    VULNERABILITY_SCAN,
    Pipeline,
)

SYSTEM = "jenkins"
LABEL = "Jenkinsfile"
SHELL_STEPS = frozenset({"sh", "bat", "powershell", "pwsh"})
DEFAULT_TRIGGERS = frozenset({BRANCH, PULL_REQUEST})
_KNOWN_CALLS = {
    "kubernetesDeploy": (DEPLOY, "kubernetes-deploy-plugin"),
    "dependencyCheck": (VULNERABILITY_SCAN, "dependency-check"),
    "snykSecurity": (VULNERABILITY_SCAN, "snyk"),
    "buildPlugin": (TEST, "maven"),
    "buildPluginWithGradle": (TEST, "gradle"),
    "grypeScan": (VULNERABILITY_SCAN, "grype"),
}


def is_jenkinsfile(relative: str) -> bool:
    """`Jenkinsfile`, `Jenkinsfile.<variant>`, `<name>.jenkinsfile` or `<name>.Jenkinsfile`."""
    name = relative.rpartition("/")[2]
    return (
        name == "Jenkinsfile"
        or name.startswith("Jenkinsfile.")
        or name.lower().endswith(".jenkinsfile")
    )


class GroovySyntaxError(ValueError):
    """Text that cannot be a Groovy pipeline; `line` is 1-based."""

    def __init__(self, reason: str, line: int) -> None:
        super().__init__(reason)
        self.reason, self.line = reason, line


@dataclass(frozen=True)
class Token:
    """An identifier, a string literal (`text` without quotes) or a punctuation character."""

    kind: str  # "name", "string", "punct"
    text: str
    line: int
    triple: bool = False  # a ''' or \"\"\" string (its content starts after the quotes)


def tokenize(text: str) -> list[Token]:
    """Groovy tokens (comments dropped); GroovySyntaxError for an unterminated string."""
    tokens: list[Token] = []
    i, line, n = 0, 1, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
            i += 1
        elif ch in " \t\r":
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise GroovySyntaxError("unterminated /* comment", line)
            line += text.count("\n", i, end)
            i = end + 2
        elif text.startswith("'''", i) or text.startswith('"""', i):
            quote = text[i : i + 3]
            end = i + 3
            while True:
                end = text.find(quote, end)
                if end < 0:
                    raise GroovySyntaxError(f"unterminated {quote} string", line)
                if text[end - 1] != "\\":
                    break
                end += 1
            tokens.append(Token("string", _unescape(text[i + 3 : end]), line, True))
            line += text.count("\n", i, end)
            i = end + 3
        elif ch in "'\"":
            j = i + 1
            out: list[str] = []
            while j < n and text[j] != ch:
                if text[j] == "\n":
                    raise GroovySyntaxError(f"unterminated {ch} string", line)
                if text[j] == "\\" and j + 1 < n:
                    out.append(text[j : j + 2])
                    j += 2
                    continue
                out.append(text[j])
                j += 1
            if j >= n:
                raise GroovySyntaxError(f"unterminated {ch} string", line)
            tokens.append(Token("string", _unescape("".join(out)), line))
            i = j + 1
        elif ch.isalpha() or ch == "_":
            j = i
            while j < n and (text[j].isalnum() or text[j] in "_."):
                j += 1
            tokens.append(Token("name", text[i:j], line))
            i = j
        else:
            tokens.append(Token("punct", ch, line))
            i += 1
    return tokens


def _unescape(text: str) -> str:
    """Groovy escapes that matter for shell text: quotes, backslash, dollar, newline."""
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append({"n": "\n", "t": "\t"}.get(nxt, nxt if nxt in "'\"\\$" else "\\" + nxt))
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _when_triggers(tokens: list[Token], start: int, end: int) -> set[str] | None:
    """Triggers a `when { ... }` block allows (None when it does not constrain the event)."""
    names = {t.text for t in tokens[start:end] if t.kind == "name"}
    found: set[str] = set()
    if "changeRequest" in names:
        found.add(PULL_REQUEST)
    if "branch" in names:
        found.add(PUSH)
    if "buildingTag" in names or "tag" in names:
        found.add(TAG)
    if "not" in names or ("anyOf" in names and not found):
        return None
    return found or None


class _Reader:
    def __init__(self, context: Context, relative: str, tokens: list[Token]) -> None:
        self.context = context
        self.tokens = tokens
        path = context.repo.display(relative)
        self.draft = PipelineDraft(SYSTEM, path, relative, 1, relative)
        self.matching = self._match_braces()

    def _match_braces(self) -> dict[int, int]:
        stack: list[int] = []
        pairs: dict[int, int] = {}
        for index, token in enumerate(self.tokens):
            if token.kind != "punct":
                continue
            if token.text in "({[":
                stack.append(index)
            elif token.text in ")}]" and stack:
                pairs[stack.pop()] = index
        return pairs

    def read(self) -> Pipeline:
        tokens = self.tokens
        names = {t.text for t in tokens if t.kind == "name"}
        base = set(DEFAULT_TRIGGERS)
        if "cron" in names or "pollSCM" in names:
            base.add(SCHEDULE)
        stages = self._stages(frozenset(base))
        jobs: dict[tuple[int, str], JobDraft] = {}
        default_job: JobDraft | None = None

        def job_for(index: int) -> JobDraft:
            nonlocal default_job
            inner = [s for s in stages if s[0] < index < s[1]]
            if not inner:
                if default_job is None:
                    default_job = self.draft.new_job("pipeline", 1, frozenset(base))
                return default_job
            start, _end, name, triggers, line = max(inner, key=lambda s: s[0])
            # a stage inside a stage with its own `when` keeps the narrower triggers
            for outer in inner:
                triggers = triggers & outer[3] if triggers & outer[3] else triggers
            key = (start, name)
            if key not in jobs:
                jobs[key] = self.draft.new_job(name, line, triggers)
            return jobs[key]

        classifier = self.context.classifier
        for index, token in enumerate(tokens):
            if token.kind != "name":
                continue
            text = token.text
            if text in SHELL_STEPS:
                for script in self._step_strings(index):
                    offset = 0 if not script.triple or not script.text.startswith("\n") else 1
                    body = script.text[1:] if offset else script.text
                    job_for(index).add(
                        classifier.script(body), self.draft.path, script.line + offset
                    )
            elif text in ("docker.build", "docker.buildx"):
                job_for(index).add(
                    [Found(IMAGE_BUILD, "docker", "docker.build(...)")], self.draft.path, token.line
                )
            elif (
                text in _KNOWN_CALLS
                and index + 1 < len(tokens)
                and tokens[index + 1].text in ("(", "{")
            ):
                kind, tool = _KNOWN_CALLS[text]
                job_for(index).add([Found(kind, tool, f"{text}(...)")], self.draft.path, token.line)
        if not self.draft.jobs:
            self.draft.new_job("pipeline", 1, frozenset(base))
        if any(a.text == "@" and b.text == "Library" for a, b in itertools.pairwise(tokens)) or (
            "library" in names
        ):
            self.draft.unresolved.append("shared library steps")
        return self.draft.freeze()

    def _stages(self, base: frozenset[str]) -> list[tuple[int, int, str, frozenset[str], int]]:
        """`stage('name') { ... }` blocks: (body start, body end, name, triggers, line)."""
        tokens = self.tokens
        stages: list[tuple[int, int, str, frozenset[str], int]] = []
        for index, token in enumerate(tokens[:-3]):
            if not (
                token.kind == "name"
                and token.text == "stage"
                and tokens[index + 1].text == "("
                and tokens[index + 2].kind == "string"
            ):
                continue
            brace = self.matching.get(index + 1, index + 3) + 1
            if brace >= len(tokens) or tokens[brace].text != "{":
                continue
            end = self.matching.get(brace, len(tokens))
            triggers = base
            for k in range(brace, end - 1):
                if tokens[k].text == "when" and tokens[k + 1].text == "{":
                    allowed = _when_triggers(tokens, k + 1, self.matching.get(k + 1, end))
                    if allowed is not None:
                        triggers = frozenset(allowed)
                    break
            stages.append((brace, end, tokens[index + 2].text, triggers, token.line))
        return stages

    def _step_strings(self, index: int) -> list[Token]:
        """The script string(s) of a shell step call starting at token `index`."""
        tokens = self.tokens
        nxt = index + 1
        if nxt >= len(tokens):
            return []
        token = tokens[nxt]
        if token.kind == "string":
            return [token]
        if token.text == "(":
            end = self.matching.get(nxt, len(tokens))
            return self._script_argument(nxt + 1, end)
        if token.kind == "name" and nxt + 1 < len(tokens) and tokens[nxt + 1].text == ":":
            # `sh script: '...', label: '...'` up to the end of the line
            end = nxt
            while end < len(tokens) and tokens[end].line == token.line:
                end += 1
            return self._script_argument(nxt, end)
        return []

    def _script_argument(self, start: int, end: int) -> list[Token]:
        tokens = self.tokens[start:end]
        for i, token in enumerate(tokens[:-2]):
            if (
                token.text == "script"
                and tokens[i + 1].text == ":"
                and tokens[i + 2].kind == ("string")
            ):
                return [tokens[i + 2]]
        if tokens and tokens[0].kind == "string":
            return [tokens[0]]
        return []


def read_jenkinsfiles(context: Context, relatives: list[str]) -> list[Pipeline]:
    """Every readable Jenkinsfile as a Pipeline."""
    found: list[Pipeline] = []
    for relative in relatives:
        text = context.read(relative, LABEL)
        if text is None:
            continue
        try:
            tokens = tokenize(text)
        except GroovySyntaxError as exc:
            context.error(relative, f"{LABEL}: unknown syntax ({exc.reason})", exc.line)
            continue
        found.append(_Reader(context, relative, tokens).read())
    return found
