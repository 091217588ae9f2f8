"""Shell scripts are split into commands the way a shell would, so text is never evidence."""

from __future__ import annotations

import pytest

from cnmm.collect.ci.shell import split_commands


def argvs(script: str) -> list[tuple[str, ...]]:
    return [c.argv for c in split_commands(script)]


def test_quotes_are_removed_and_words_kept_together() -> None:
    assert argvs("""echo "go test" 'a b' c\\ d""") == [("echo", "go test", "a b", "c d")]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("a && b || c; d | e & f", [("a",), ("b",), ("c",), ("d",), ("e",), ("f",)]),
        ("a\nb\n\nc", [("a",), ("b",), ("c",)]),
        ("(cd x; make)", [("cd", "x"), ("make",)]),
        ("if true; then go test; fi", [("if", "true"), ("then", "go", "test"), ("fi",)]),
    ],
)
def test_operators_and_newlines_separate_commands(
    script: str, expected: list[tuple[str, ...]]
) -> None:
    assert argvs(script) == expected


def test_comments_are_dropped_but_hash_inside_words_is_not() -> None:
    script = "# cosign sign image\npytest -k 'a#b' x#y  # trailing comment\n"
    assert argvs(script) == [("pytest", "-k", "a#b", "x#y")]


def test_line_continuations_join_and_lines_are_counted() -> None:
    commands = split_commands("echo start\ndocker build \\\n  -t img \\\n  .\ngo test ./...")
    assert [c.argv for c in commands] == [
        ("echo", "start"),
        ("docker", "build", "-t", "img", "."),
        ("go", "test", "./..."),
    ]
    assert [c.line for c in commands] == [0, 1, 4]


def test_heredoc_bodies_are_not_commands() -> None:
    script = (
        "cat <<EOF > notes.txt\ncosign sign x\npytest\nEOF\ncat <<-'END'\n\tgo test\n\tEND\nmake"
    )
    assert argvs(script) == [("cat",), ("cat",), ("make",)]
    assert split_commands(script)[-1].line == 7


def test_command_substitution_becomes_its_own_command() -> None:
    assert argvs("docker build -t img:$(git rev-parse HEAD) .") == [
        ("git", "rev-parse", "HEAD"),
        ("docker", "build", "-t", "img:$()", "."),
    ]
    assert argvs("echo `go version`") == [("go", "version"), ("echo", "$()")]


def test_expressions_stay_in_their_word() -> None:
    assert argvs("pytest ${{ matrix.args }} ${PYTEST_ARGS:-a b} $((1 + 2))") == [
        ("pytest", "${{ matrix.args }}", "${PYTEST_ARGS:-a b}", "$((1 + 2))")
    ]


def test_redirections_drop_their_targets() -> None:
    assert argvs("go test ./... > out.txt 2>&1 < in") == [("go", "test", "./...")]


def test_unbalanced_quote_does_not_raise() -> None:
    assert argvs("echo 'unterminated\ngo test") == [("echo", "unterminated\ngo test")]
