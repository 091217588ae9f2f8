"""Dockerfile parsing: the grammar BuildKit accepts, and final-stage facts."""

from __future__ import annotations

import pytest

from cnmm.collect.repository.dockerfile import (
    parse_dockerfile,
    parse_image,
    split_instructions,
    split_words,
    substitute,
)
from cnmm.facts.repository import (
    BASE_EXTERNAL,
    BASE_SCRATCH,
    BASE_STAGE,
    BASE_UNRESOLVED,
    USER_NON_ROOT,
    USER_ROOT,
    USER_UNKNOWN,
    USER_UNSET,
)


def parse(text: str):  # type: ignore[no-untyped-def]
    return parse_dockerfile(text, "Dockerfile")


def test_continuations_comments_and_empty_lines_inside_an_instruction() -> None:
    instructions, problems = split_instructions(
        "FROM alpine:3.20\n"
        "RUN apk add \\\n"
        "# a comment inside the continuation is dropped\n"
        "\n"
        "    curl \\   \n"
        "    git\n"
        "USER app\n"
    )
    assert problems == []
    assert [(i.keyword, i.args, i.line) for i in instructions] == [
        ("FROM", "alpine:3.20", 1),
        ("RUN", "apk add curl git", 2),
        ("USER", "app", 7),
    ]


def test_escape_directive_changes_the_continuation_character() -> None:
    instructions, _ = split_instructions(
        "# escape=`\n"
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "RUN powershell -Command `\n"
        "    Write-Host C:\\path\n"
        "USER ContainerUser\n"
    )
    assert [i.keyword for i in instructions] == ["FROM", "RUN", "USER"]
    assert instructions[1].args == "powershell -Command Write-Host C:\\path"


def test_directive_after_a_comment_is_only_a_comment() -> None:
    instructions, _ = split_instructions(
        "# a comment first\n# escape=`\nFROM alpine:3.20\nRUN echo a \\\n  b\n"
    )
    assert instructions[1].args == "echo a b"  # backslash still continues


def test_heredocs_are_not_instructions() -> None:
    dockerfile = parse(
        "# syntax=docker/dockerfile:1\n"
        "FROM debian:12\n"
        "RUN <<EOF\n"
        "USER root\n"
        "FROM evil:latest\n"
        "EOF\n"
        "COPY <<-CONF <<'SCRIPT' /etc/\n"
        "\tUSER nobody\n"
        "\tCONF\n"
        "echo $HOME\n"
        "SCRIPT\n"
        "USER 1000\n"
    )
    assert len(dockerfile.stages) == 1
    assert dockerfile.final_user == "1000"
    assert dockerfile.final_user_line == 12
    assert dockerfile.stages[0].runs == 1


def test_unterminated_heredoc_is_reported() -> None:
    dockerfile = parse("FROM alpine:3.20\nRUN <<EOF\necho hi\n")
    assert any("never closed" in p for p in dockerfile.problems)


def test_stages_platform_aliases_and_references() -> None:
    dockerfile = parse(
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\n"
        "RUN go build\n"
        "FROM build AS test\n"
        "FROM scratch\n"
        "COPY --from=build /app /app\n"
        "COPY --from=docker.io/library/busybox:1.36 /bin/sh /bin/sh\n"
    )
    kinds = [(s.kind, s.name, s.platform) for s in dockerfile.stages]
    assert kinds == [
        (BASE_EXTERNAL, "Build", "$BUILDPLATFORM"),
        (BASE_STAGE, "test", None),
        (BASE_SCRATCH, None, None),
    ]
    assert dockerfile.stages[1].parent == 0  # stage names are case-insensitive
    assert parse("FROM scratch\nCOPY app /\n").base_pinned_by_digest is True  # nothing to pin
    assert dockerfile.copy_from_images == (("docker.io/library/busybox:1.36", 6),)
    assert dockerfile.base_pinned_by_digest is False


def test_global_args_resolve_from_lines_and_missing_defaults_stay_unresolved() -> None:
    dockerfile = parse(
        "ARG REGISTRY=ghcr.io/acme\n"
        'ARG TAG="1.4.2"\n'
        "ARG VARIANT\n"
        "FROM ${REGISTRY}/base:${TAG}-${VARIANT:-slim}\n"
        "FROM $REGISTRY/tools:${VARIANT}\n"
    )
    first, second = dockerfile.stages
    assert first.kind == BASE_EXTERNAL
    assert first.image is not None and first.image.text == "ghcr.io/acme/base:1.4.2-slim"
    assert second.kind == BASE_UNRESOLVED
    assert dockerfile.base_pinned_by_digest is False


def test_arg_declared_after_from_does_not_resolve_from() -> None:
    dockerfile = parse("FROM alpine:3.20\nARG BASE=node:20\nFROM ${BASE}\n")
    assert dockerfile.stages[1].kind == BASE_UNRESOLVED


@pytest.mark.parametrize(
    ("user", "state"),
    [
        ("app", USER_NON_ROOT),
        ("1000:1000", USER_NON_ROOT),
        ("root", USER_ROOT),
        ("0", USER_ROOT),
        ("0:1000", USER_ROOT),
        ("root:wheel", USER_ROOT),
        ("00", USER_ROOT),
        ("$UNSET_VAR", USER_UNKNOWN),
    ],
)
def test_final_user_states(user: str, state: str) -> None:
    dockerfile = parse(f"FROM alpine:3.20\nUSER {user}\n")
    assert dockerfile.final_user_state == state
    assert dockerfile.final_user_non_root is (
        None if state == USER_UNKNOWN else state == USER_NON_ROOT
    )


def test_user_inherited_through_stage_chain_and_overridden() -> None:
    dockerfile = parse(
        'FROM python:3.12 AS base\nUSER app\nFROM base AS mid\nRUN echo\nFROM mid\nCMD ["python"]\n'
    )
    assert dockerfile.final_user == "app"
    assert dockerfile.final_user_state == USER_NON_ROOT
    assert "inherited from stage base" in dockerfile.final_user_note

    root_again = parse("FROM python:3.12 AS base\nUSER app\nFROM base\nUSER root\n")
    assert root_again.final_user_state == USER_ROOT


def test_user_of_an_earlier_unrelated_stage_does_not_count() -> None:
    dockerfile = parse("FROM golang:1.22 AS build\nUSER nobody\nFROM alpine:3.20\n")
    assert dockerfile.final_user_state == USER_UNSET
    assert dockerfile.final_user_non_root is False


def test_user_from_env_and_inherited_env() -> None:
    dockerfile = parse(
        "FROM alpine:3.20 AS base\nENV APP_USER=svc\n"
        "FROM base\nARG GID=2000\nUSER ${APP_USER}:${GID}\n"
    )
    assert dockerfile.final_user == "svc:2000"
    assert dockerfile.final_user_state == USER_NON_ROOT


def test_distroless_nonroot_tag_counts_as_non_root() -> None:
    dockerfile = parse("FROM gcr.io/distroless/static-debian12:nonroot\nCOPY app /app\n")
    assert dockerfile.final_user_state == USER_NON_ROOT
    assert parse("FROM gcr.io/distroless/static\n").final_user_state == USER_UNSET


def test_onbuild_user_does_not_apply() -> None:
    assert parse("FROM alpine:3.20\nONBUILD USER app\n").final_user_state == USER_UNSET


def test_healthcheck_inheritance_and_none() -> None:
    inherited = parse('FROM nginx:1 AS base\nHEALTHCHECK CMD ["curl", "-f", "x"]\nFROM base\n')
    assert inherited.final_healthcheck == "cmd"
    assert parse("FROM nginx:1\nHEALTHCHECK NONE\n").final_healthcheck == "none"
    assert parse("FROM nginx:1\nhealthcheck --interval=5s cmd true\n").final_healthcheck == "cmd"


def test_env_and_arg_settings() -> None:
    dockerfile = parse(
        "ARG TOKEN\n"
        "FROM alpine:3.20\n"
        'ENV A=1 B="two words" C=three\\ words\n'
        "ENV LEGACY value with spaces\n"
        "ARG PASSWORD=hunter2\n"
    )
    settings = [(s.instruction, s.name, s.value, s.stage) for s in dockerfile.settings]
    assert settings == [
        ("ARG", "TOKEN", None, None),
        ("ENV", "A", "1", 0),
        ("ENV", "B", "two words", 0),
        ("ENV", "C", "three words", 0),
        ("ENV", "LEGACY", "value with spaces", 0),
        ("ARG", "PASSWORD", "hunter2", 0),
    ]


def test_lowercase_instructions_and_no_from() -> None:
    assert parse("from alpine:3.20 as base\nuser 1001\n").final_user == "1001"
    empty = parse("# nothing here\n")
    assert empty.stages == ()
    assert empty.problems == ("no FROM instruction",)


@pytest.mark.parametrize(
    ("text", "name", "tag", "digest"),
    [
        ("alpine", "alpine", None, None),
        ("alpine:3.20", "alpine", "3.20", None),
        ("registry:5000/team/app", "registry:5000/team/app", None, None),
        ("registry:5000/team/app:1.0", "registry:5000/team/app", "1.0", None),
        ("node:20@sha256:abc", "node", "20", "sha256:abc"),
        ("node@sha256:abc", "node", None, "sha256:abc"),
    ],
)
def test_image_references(text: str, name: str, tag: str | None, digest: str | None) -> None:
    image = parse_image(text)
    assert (image.name, image.tag, image.digest) == (name, tag, digest)


def test_substitution_forms() -> None:
    values = {"A": "x", "EMPTY": "", "NONE": None}
    assert substitute("$A-${A}", values) == "x-x"
    assert substitute("${EMPTY:-d}/${MISSING:-d}/${A:-d}", values) == "d/d/x"
    assert substitute("${A:+set}${MISSING:+set}", values) == "set"
    assert substitute("${NONE}", values) is None
    assert substitute("${A#prefix}", values) is None  # forms cnmm does not evaluate


def test_split_words_quotes_and_escapes() -> None:
    assert split_words('a "b c" \'d e\' f\\ g ""') == ["a", "b c", "d e", "f g", ""]


def test_arg_defaults_may_use_earlier_args_and_platform_stage_choice() -> None:
    dockerfile = parse(
        "ARG VERSION=29.6\n"
        "ARG CLI_VERSION=${VERSION}\n"
        "FROM docker/cli-bin:$CLI_VERSION AS cli\n"
        "FROM scratch AS binaries-linux\n"
        "FROM scratch AS binaries-windows\n"
        "FROM binaries-$TARGETOS AS binaries\n"
        "FROM binaries\n"
    )
    assert dockerfile.stages[0].image is not None
    assert dockerfile.stages[0].image.text == "docker/cli-bin:29.6"
    assert dockerfile.stages[3].kind == BASE_STAGE and dockerfile.stages[3].parent is None
    assert dockerfile.unresolved_stages == ()
    assert dockerfile.base_pinned_by_digest is False
    assert dockerfile.final_user_state == USER_UNSET
