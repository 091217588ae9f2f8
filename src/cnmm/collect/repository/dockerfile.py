"""Dockerfile/Containerfile parsing into stages, with the final stage's user resolved (pure).

Follows the Dockerfile grammar BuildKit uses: parser directives at the top (`# escape=`
changes the line-continuation character), comment lines (also inside continued
instructions), line continuations, heredocs (`RUN <<EOF ... EOF`, several per line, `<<-`
strips leading tabs), JSON (exec) form, several `FROM`s, `--platform=` flags and
`FROM x AS y`. Build arguments declared before the first `FROM` are substituted into `FROM`
lines from their defaults (`${VAR}`, `$VAR`, `${VAR:-x}`, `${VAR:+x}`); a stage named by
`FROM` is followed for USER and HEALTHCHECK inheritance. `ONBUILD` instructions do not apply
to the image being built and are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from cnmm.facts.repository import (
    BASE_EXTERNAL,
    BASE_SCRATCH,
    BASE_STAGE,
    BASE_UNRESOLVED,
    USER_NON_ROOT,
    USER_ROOT,
    USER_UNKNOWN,
    USER_UNSET,
    Dockerfile,
    DockerSetting,
    DockerStage,
    ImageReference,
)

_DIRECTIVE = re.compile(r"^#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(.*?)\s*$")
_KNOWN_DIRECTIVES = frozenset({"syntax", "escape", "check"})
_HEREDOC = re.compile(r"(?<!<)<<(-?)\s*([\"']?)([A-Za-z_][A-Za-z0-9_.-]*)\2")
_HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
_VARIABLE = re.compile(
    r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))"
)
_ANY_VARIABLE = re.compile(r"\$(\{[^}]*\}|[A-Za-z_])")

# Image tags that say the image runs as a non-root user by default (distroless convention).
_NONROOT_TAG = re.compile(r"(^|[-_.])nonroot($|[-_.])")


@dataclass(frozen=True)
class Instruction:
    """One logical instruction: keyword (upper case), argument text, first line, heredocs."""

    keyword: str
    args: str
    line: int
    heredocs: tuple[str, ...] = ()


def split_instructions(text: str) -> tuple[list[Instruction], list[str]]:
    """The logical instructions of a Dockerfile, and problems met (unterminated heredocs)."""
    lines = text.splitlines()
    escape = "\\"
    problems: list[str] = []
    index = 0
    # Parser directives: only at the very top, stopped by anything else.
    while index < len(lines):
        match = _DIRECTIVE.match(lines[index])
        if not match or match.group(1).lower() not in _KNOWN_DIRECTIVES:
            break
        if match.group(1).lower() == "escape" and match.group(2) in ("`", "\\"):
            escape = match.group(2)
        index += 1
    continuation = re.compile(re.escape(escape) + r"[ \t]*$")

    instructions: list[Instruction] = []
    while index < len(lines):
        raw = lines[index]
        start = index + 1
        index += 1
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        parts = []
        current = raw
        while continuation.search(current):
            parts.append(continuation.sub("", current))
            # Continued instructions skip comment lines and (deprecated) empty lines.
            while index < len(lines) and (
                not lines[index].strip() or lines[index].lstrip().startswith("#")
            ):
                index += 1
            if index >= len(lines):
                current = ""
                break
            current = lines[index]
            index += 1
        parts.append(current)
        logical = " ".join(p.strip() for p in parts).strip()
        if not logical:
            continue
        keyword, _, args = logical.partition(" ")
        keyword = keyword.upper()
        args = args.strip()
        heredocs: list[str] = []
        if keyword in _HEREDOC_INSTRUCTIONS and "<<" in args:
            for match in _HEREDOC.finditer(args):
                strip_tabs, word = match.group(1) == "-", match.group(3)
                body: list[str] = []
                closed = False
                while index < len(lines):
                    line = lines[index]
                    index += 1
                    candidate = line.lstrip("\t") if strip_tabs else line
                    if candidate.rstrip() == word:
                        closed = True
                        break
                    body.append(line)
                if not closed:
                    problems.append(f"line {start}: heredoc <<{word} is never closed")
                heredocs.append("\n".join(body))
        instructions.append(Instruction(keyword, args, start, tuple(heredocs)))
    return instructions, problems


def split_words(text: str) -> list[str]:
    """Split on unquoted whitespace, removing quotes (backslash escapes the next character)."""
    words: list[str] = []
    current: list[str] = []
    quote: str | None = None
    has_word = False
    index = 0
    while index < len(text):
        char = text[index]
        if quote:
            if char == quote:
                quote = None
            elif char == "\\" and quote == '"' and index + 1 < len(text):
                index += 1
                current.append(text[index])
            else:
                current.append(char)
        elif char in "\"'":
            quote = char
            has_word = True
        elif char == "\\" and index + 1 < len(text):
            index += 1
            current.append(text[index])
            has_word = True
        elif char.isspace():
            if current or has_word:
                words.append("".join(current))
            current, has_word = [], False
        else:
            current.append(char)
            has_word = True
        index += 1
    if current or has_word:
        words.append("".join(current))
    return words


def substitute(text: str, variables: Mapping[str, str | None]) -> str | None:
    """Expand `$VAR`/`${VAR}`/`${VAR:-x}`/`${VAR:+x}`; None when a value is unknown."""
    unknown = False

    def expand(match: re.Match[str]) -> str:
        nonlocal unknown
        name = match.group(1) or match.group(4)
        operator, word = match.group(2), match.group(3) or ""
        value = variables.get(name)
        if operator in (":-", "-"):
            if value is None or (operator == ":-" and value == ""):
                return word
            return value
        if operator in (":+", "+"):
            return word if value else ""
        if value is None:
            unknown = True
            return ""
        return value

    result = _VARIABLE.sub(expand, text)
    if unknown or _ANY_VARIABLE.search(result):
        return None
    return result


def parse_image(text: str) -> ImageReference:
    """Split `registry/name:tag@sha256:...` into its parts."""
    name, _, digest = text.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = None
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    return ImageReference(text, name, tag or None, digest or None)


def _key_values(args: str, instruction: str) -> list[tuple[str, str | None]]:
    """ENV/ARG entries: `k=v k2="v 2"`, or the legacy `ENV key value with spaces`."""
    words = split_words(args)
    if not words:
        return []
    if instruction == "ENV" and "=" not in words[0]:
        name, _, rest = args.partition(" ")
        return [(name.strip(), " ".join(split_words(rest.strip())))]
    pairs: list[tuple[str, str | None]] = []
    for word in words:
        name, equals, value = word.partition("=")
        if name:
            pairs.append((name, value if equals else None))
    return pairs


@dataclass
class _StageState:
    """A stage while its instructions are read: the fact so far, and its ARG/ENV scopes."""

    stage: DockerStage
    env: dict[str, str | None] = field(default_factory=dict)
    args: dict[str, str | None] = field(default_factory=dict)

    def update(self, **changes: Any) -> None:
        """Record what an instruction changed (the fact itself stays frozen)."""
        self.stage = replace(self.stage, **changes)


def parse_dockerfile(text: str, path: str) -> Dockerfile:
    """Parse a Dockerfile's text into stages and settings, resolving the final user."""
    instructions, problems = split_instructions(text)
    global_args: dict[str, str | None] = {}
    settings: list[DockerSetting] = []
    stages: list[_StageState] = []
    names: dict[str, int] = {}
    copy_from: list[tuple[str, int]] = []
    for item in instructions:
        current = stages[-1] if stages else None
        if item.keyword == "FROM":
            stages.append(_from(item, len(stages), global_args, names, stages, problems))
            if stages[-1].stage.name:
                names[stages[-1].stage.name.lower()] = stages[-1].stage.index
            continue
        if item.keyword == "ARG":
            for name, value in _key_values(item.args, "ARG"):
                index = current.stage.index if current else None
                settings.append(DockerSetting("ARG", name, value, item.line, index))
                # A default may use earlier build arguments (ARG B=${A}-x).
                scope = global_args if current is None else {**current.args, **current.env}
                expanded = None if value is None else substitute(value, scope)
                if current is None:
                    global_args[name] = expanded
                else:
                    # An ARG without default re-declares the global one (and its default).
                    current.args[name] = expanded if value is not None else global_args.get(name)
            continue
        if current is None:
            continue  # only ARG and directives may precede the first FROM
        if item.keyword == "ENV":
            for name, value in _key_values(item.args, "ENV"):
                settings.append(DockerSetting("ENV", name, value, item.line, current.stage.index))
                resolved = substitute(value or "", {**current.args, **current.env})
                current.env[name] = resolved
        elif item.keyword == "USER":
            words = split_words(item.args)
            raw = words[0] if words else ""
            resolved = substitute(raw, {**current.args, **current.env})
            current.update(
                user_raw=raw,
                user_line=item.line,
                user=resolved or raw,
                user_resolved=bool(resolved),
            )
        elif item.keyword == "HEALTHCHECK":
            words = split_words(item.args)
            healthcheck = "none" if words[:1] and words[0].upper() == "NONE" else "cmd"
            current.update(healthcheck=healthcheck, healthcheck_line=item.line)
        elif item.keyword == "RUN":
            current.update(runs=current.stage.runs + 1)
        elif item.keyword in ("COPY", "ADD"):
            for word in split_words(item.args):
                if not word.startswith("--from="):
                    continue
                source = word.removeprefix("--from=")
                if source.lower() not in names and not source.isdigit():
                    copy_from.append((source, item.line))
    if not stages and not problems:
        problems.append("no FROM instruction")
    frozen = tuple(s.stage for s in stages)
    user, state, line, note = _final_user(frozen)
    health, health_line = _final_healthcheck(frozen)
    return Dockerfile(
        path=path,
        stages=frozen,
        settings=tuple(settings),
        copy_from_images=tuple(copy_from),
        final_user=user,
        final_user_state=state,
        final_user_line=line,
        final_user_note=note,
        final_healthcheck=health,
        final_healthcheck_line=health_line,
        problems=tuple(problems),
    )


def _from(
    item: Instruction,
    index: int,
    global_args: Mapping[str, str | None],
    names: Mapping[str, int],
    stages: list[_StageState],
    problems: list[str],
) -> _StageState:
    words = split_words(item.args)
    platform = None
    while words and words[0].startswith("--"):
        flag = words.pop(0)
        if flag.startswith("--platform="):
            platform = flag.partition("=")[2]
    base = words[0] if words else ""
    alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
    if not base:
        problems.append(f"line {item.line}: FROM without an image")
    kind, image, parent, env = BASE_UNRESOLVED, None, None, {}
    resolved = substitute(base, global_args)
    if not resolved:
        # `FROM binaries-$TARGETOS`: a platform-dependent choice among earlier stages.
        literal = base.split("$", 1)[0].lower()
        if (
            literal
            and "/" not in base
            and ":" not in base
            and any(name.startswith(literal) for name in names)
        ):
            kind = BASE_STAGE
    elif resolved.lower() in names:
        source = stages[names[resolved.lower()]]
        kind, parent = BASE_STAGE, source.stage.index
        env = dict(source.env)  # ENV is inherited from the parent stage
    elif resolved.lower() == "scratch":
        kind = BASE_SCRATCH
    else:
        kind, image = BASE_EXTERNAL, parse_image(resolved)
    stage = DockerStage(index, item.line, base, kind, alias, image, parent, platform)
    return _StageState(stage, env)


def is_root_user(user: str) -> bool:
    """`root`, uid 0, or either with a group (`0:0`, `root:wheel`)."""
    name = user.partition(":")[0].strip()
    return name == "root" or (name.isdigit() and int(name) == 0)


def _final_user(stages: tuple[DockerStage, ...]) -> tuple[str | None, str, int | None, str]:
    if not stages:
        return None, USER_UNSET, None, "no stages"
    stage: DockerStage | None = stages[-1]
    seen: set[int] = set()
    while stage is not None and stage.index not in seen:
        seen.add(stage.index)
        if stage.user_raw is not None:
            where = "" if stage is stages[-1] else f" (inherited from stage {_label(stage)})"
            if not stage.user_resolved or not stage.user:
                return (
                    stage.user_raw,
                    USER_UNKNOWN,
                    stage.user_line,
                    f"USER {stage.user_raw} uses a variable without a known value{where}",
                )
            if is_root_user(stage.user):
                return stage.user, USER_ROOT, stage.user_line, f"USER {stage.user}{where}"
            return stage.user, USER_NON_ROOT, stage.user_line, f"USER {stage.user}{where}"
        if stage.kind == BASE_STAGE and stage.parent is not None:
            stage = stages[stage.parent]
            continue
        tag = stage.image.tag if stage.kind == BASE_EXTERNAL and stage.image else None
        if tag and _NONROOT_TAG.search(tag) and stage.image:
            return (
                None,
                USER_NON_ROOT,
                stage.line,
                f"no USER, but the base image {stage.image.text} runs as nonroot",
            )
        break
    return (
        None,
        USER_UNSET,
        None,
        "no USER instruction: runs as the base image's default user (usually root)",
    )


def _final_healthcheck(stages: tuple[DockerStage, ...]) -> tuple[str | None, int | None]:
    stage: DockerStage | None = stages[-1] if stages else None
    seen: set[int] = set()
    while stage is not None and stage.index not in seen:
        seen.add(stage.index)
        if stage.healthcheck is not None:
            return stage.healthcheck, stage.healthcheck_line
        stage = (
            stages[stage.parent] if stage.kind == BASE_STAGE and stage.parent is not None else None
        )
    return None, None


def _label(stage: DockerStage) -> str:
    return stage.name or str(stage.index)
