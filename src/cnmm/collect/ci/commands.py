"""What a command does: classify command words and arguments, never free text.

Every CI system ends in the same places: shell commands (`run:`, `script:`, `sh '...'`),
container images run with arguments (Tekton, Cloud Build, Argo) and, for GitHub, actions.
`Classifier` turns each of these into `Found` records (activity kind + canonical tool).

How a command is read (after `cnmm.collect.ci.shell` split the script):
- leading shell keywords (`if`, `then`, `do`, `!`...), `VAR=value` assignments and wrappers
  (`sudo`, `env`, `time`, `timeout`, `xvfb-run`, `npx`, `poetry run`, `uv run`,
  `bundle exec`, `python -m`, `go run <module>`, `bash -c '...'`, `docker run <image>`,
  `nix develop -c`...) are peeled off until the real command word is reached;
- the command word (its basename) and its subcommand decide: `go test` is a test, `go vet`
  is not; `docker buildx build --sbom=true` builds an image *and* an SBOM; `helm upgrade`
  deploys unless `--dry-run`; `kubectl apply` deploys unless `--dry-run`;
- `echo`, `printf`, comments and here-document bodies never count;
- `make <target>`, `npm test`/`npm run <script>` (and yarn/pnpm/bun), local shell scripts
  and `goreleaser` are followed into the Makefile, package.json, the script and the
  goreleaser configuration (a few levels deep, cycles cut). Without the file a make/task
  target named like a test (`test`, `unit-test`, `e2e`...) still counts as a test;
- `kind create cluster`/`minikube start`/`k3d cluster create` mark a job as working on a
  throwaway cluster: its `kubectl apply`/`helm install` are tests, not deployments (the
  pipeline readers drop those deploys).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from cnmm.collect.ci._repo import AUX_MAX_SIZE, RepoFiles, join
from cnmm.collect.ci.shell import split_commands
from cnmm.collect.ci.tools import (
    IMAGE_TOOLS,
    TEST_NAME,
    Found,
    classify_word,
    command_name,
    detail_of,
    flag_value,
    goreleaser_features,
    image_repository,
    positional,
    skip_options,
    truthy,
)
from cnmm.facts.ci import (
    IMAGE_BUILD,
    PROVENANCE,
    SBOM,
    SIGNING,
    TEST,
    VULNERABILITY_SCAN,
)

MAX_FOLLOW_DEPTH = 5

_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=")
_PREFIX_KEYWORDS = frozenset(
    {
        "if",
        "then",
        "else",
        "elif",
        "do",
        "while",
        "until",
        "!",
        "{",
        "time",
        "exec",
        "command",
        "builtin",
        "nohup",
        "noglob",
    }
)
_NOT_COMMANDS = frozenset(
    {
        "for",
        "select",
        "case",
        "function",
        "fi",
        "done",
        "esac",
        "}",
        "[[",
        "[",
        "test",
        "echo",
        "printf",
        "export",
        "local",
        "declare",
        "typeset",
        "readonly",
        "set",
        "unset",
        "shift",
        "return",
        "exit",
        "true",
        "false",
        ":",
        "wait",
        "trap",
        "read",
        "eval",
        "alias",
        "cat",
        "tee",
        "ls",
        "mkdir",
        "rm",
        "cp",
        "mv",
        "chmod",
        "touch",
        "grep",
        "sed",
        "awk",
        "write-host",
        "write-output",
        "echo.",
        "rem",
    }
)
_COVERED = frozenset(
    {
        "mocha",
        "jest",
        "ava",
        "tap",
        "tape",
        "node",
        "npm",
        "yarn",
        "pnpm",
        "vitest",
        "jasmine",
        "karma",
        "uvu",
        "npx",
        "cucumber-js",
    }
)
_PY_TEST_SCRIPT = re.compile(r"^(test_\w+|\w+_tests?|tests?|run_?tests?|run-tests)\.py$")
_WRAPPER_SCRIPTS = frozenset({"gradlew", "mvnw", "sbtw", "bazelisk"})  # known by name
_PYTHON = re.compile(r"^(python[\d.]*|py|pypy[\d.]*)$")
_SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh", "ash"})
_VERSION_FLAGS = frozenset({"--version", "--help", "-help", "-version"})


_DOCKER_GLOBALS = ("-H", "--host", "--context", "-c", "--config", "-l", "--log-level")
_DOCKER_RUN_VALUED = frozenset(
    {
        "-e",
        "--env",
        "-v",
        "--volume",
        "-w",
        "--workdir",
        "--name",
        "-p",
        "--publish",
        "--network",
        "--net",
        "-u",
        "--user",
        "--platform",
        "--mount",
        "--env-file",
        "--add-host",
        "-l",
        "--label",
        "--cpus",
        "-m",
        "--memory",
        "--pull",
        "--entrypoint",
        "--device",
        "--cap-add",
        "--cap-drop",
        "--security-opt",
        "--tmpfs",
        "--ulimit",
        "--hostname",
        "-h",
        "--shm-size",
        "--ipc",
        "--pid",
        "--log-driver",
        "--log-opt",
        "--gpus",
        "--runtime",
        "--restart",
        "--link",
        "--dns",
        "--group-add",
        "--expose",
        "--label-file",
        "--cidfile",
        "--volumes-from",
        "--memory-swap",
        "--stop-signal",
        "--userns",
        "--uts",
        "--cgroupns",
        "--health-cmd",
        "--mac-address",
        "--ip",
        "--isolation",
        "--storage-opt",
        "--sysctl",
    }
)


class Classifier:
    """Classifies scripts, commands, images and GitHub actions of one repository."""

    def __init__(self, repo: RepoFiles) -> None:
        self.repo = repo
        self._memo: dict[tuple[str, ...], list[Found]] = {}
        self._active: set[tuple[str, ...]] = set()

    # --- entry points ------------------------------------------------------------------

    def script(self, text: str, cwd: str = "", depth: int = 0) -> list[Found]:
        """Activities of a shell script; `line` of each is its 0-based line in `text`."""
        found: list[Found] = []
        directory = cwd
        for command in split_commands(text):
            words = list(command.argv)
            if words and command_name(words[0]) in ("cd", "pushd") and len(words) > 1:
                target = words[-1]
                if not any(c in target for c in "$`~") and target != "-":
                    directory = join(directory, target) or ""
                continue
            if words and command_name(words[0]) == "popd":
                directory = cwd
                continue
            for item in self.argv(words, directory, depth):
                found.append(replace(item, line=command.line + item.line))
        return found

    def argv(self, words: Sequence[str], cwd: str = "", depth: int = 0) -> list[Found]:
        """Activities of one simple command (wrappers peeled, local files followed)."""
        return self._command(list(words), cwd, depth)

    def image(self, image: str, args: Sequence[str], cwd: str = "", depth: int = 0) -> list[Found]:
        """Activities of running a container image (its entrypoint) with `args`."""
        repository = image_repository(image)
        tool = IMAGE_TOOLS.get(repository)
        if tool is None:
            tool = (
                IMAGE_TOOLS.get(repository.rsplit("/", 2)[-2] + "/" + repository.rsplit("/", 1)[-1])
                if repository.count("/") >= 2
                else None
            )
        if not tool:
            return []
        if tool == "/kaniko/executor":
            return [Found(IMAGE_BUILD, "kaniko", detail_of([image, *args]))]
        if not args:
            return []
        return self._command([tool, *args], cwd, depth)

    # --- one command -------------------------------------------------------------------

    def _command(self, words: list[str], cwd: str, depth: int) -> list[Found]:
        words = self._unwrap(words)
        if not words or depth > MAX_FOLLOW_DEPTH:
            return []
        if any(w in _VERSION_FLAGS for w in words[1:3]) or (
            len(words) > 1 and words[1] in ("version", "help")
        ):
            return []
        head = words[0]
        name = command_name(head)
        args = words[1:]
        detail = detail_of(words)

        # Wrappers that hand over to another command, a script or a module.
        if name in _SHELLS:
            return self._shell(args, cwd, depth)
        if name in ("source", "."):
            return (self._follow_script(args[0], cwd, depth) or []) if args else []
        if name.endswith(".py"):
            return self._python(words, cwd, depth, detail)
        if _PYTHON.match(name):
            return self._python(args, cwd, depth, detail)
        if name == "coverage" and args[:1] == ["run"]:
            rest = args[1:]
            while rest and rest[0].startswith("-") and rest[0] != "-m":  # coverage's own options
                rest = rest[2:] if rest[0] in ("--source", "--rcfile", "--include") else rest[1:]
            return self._python(rest, cwd, depth, detail)
        if name in ("docker", "podman", "nerdctl", "docker-compose", "finch"):
            return self._docker(name, args, cwd, depth, detail)
        if name == "go" and args[:1] == ["run"]:
            rest = skip_options(args[1:], ("-tags", "-mod", "-C"))
            if rest:
                module = rest[0].split("@", 1)[0].rstrip("/")
                parts = [p for p in module.split("/") if not re.fullmatch(r"v\d+", p)]
                if parts and parts[-1] not in (".", ""):
                    return self._command([parts[-1], *rest[1:]], cwd, depth + 1)
            return []
        if name in ("make", "gmake", "mingw32-make"):
            return self._make(args, cwd, depth, detail)
        if name in ("npm", "yarn", "pnpm", "bun", "npx", "pnpx", "bunx"):
            return self._node(name, args, cwd, depth, detail)
        if ("/" in head or name.endswith(".sh")) and name not in _WRAPPER_SCRIPTS:
            followed = self._follow_script(head, cwd, depth, args)
            if followed:
                return followed
            name = name.removesuffix(".sh")
        if name == "goreleaser":
            return self._goreleaser(args, cwd, detail)
        return classify_word(name, args, words, detail)

    def _unwrap(self, words: list[str]) -> list[str]:
        """Peel keywords, assignments and wrapper commands off the front."""
        for _ in range(12):
            while words and (words[0] in _PREFIX_KEYWORDS or _ASSIGNMENT.match(words[0])):
                words = words[1:]
            if not words:
                return []
            name = command_name(words[0])
            rest = words[1:]
            if name in _NOT_COMMANDS or words[0] in _NOT_COMMANDS:
                return []
            if name == "sudo":
                words = skip_options(
                    rest,
                    ("-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "--user", "--group"),
                )
            elif name == "env":
                words = skip_options(rest, ("-u", "-C", "--unset", "--chdir", "-S"))
            elif name in ("nyc", "c8"):  # coverage wrappers: the first known command word
                words = next(
                    (rest[i:] for i, w in enumerate(rest) if command_name(w) in _COVERED),
                    skip_options(rest),
                )
            elif name in (
                "nice",
                "ionice",
                "stdbuf",
                "unbuffer",
                "eatmydata",
                "catchsegv",
                "dbus-run-session",
                "chronic",
                "tini",
                "dumb-init",
                "with-contenv",
                "fakeroot",
                "caffeinate",
                "script-shell",
            ):
                words = skip_options(rest, ("-n", "-c", "-t", "--reporter", "-r"))
            elif name == "xvfb-run":
                words = skip_options(
                    rest, ("-s", "-e", "-f", "-n", "-p", "-w", "--server-args", "--error-file")
                )
            elif name == "timeout":
                rest = skip_options(rest, ("-s", "-k", "--signal", "--kill-after"))
                words = rest[1:]
            elif name == "gosu" or name == "su-exec":
                words = rest[1:]
            elif name in ("poetry", "pipenv", "pdm", "rye", "pixi", "devbox", "hatch") and rest[
                :1
            ] == ["run"]:
                words = skip_options(rest[1:], ("-e", "--environment", "--env"))
                if name == "hatch" and words and ":" in words[0]:
                    script = words[0].split(":", 1)[1]
                    words = ["hatch-script", script]
            elif name == "uv" and rest[:1] == ["run"]:
                if "-m" in rest[1:] and all(
                    w.startswith("-") for w in rest[1 : rest.index("-m")]
                ):  # `uv run [options] -m module`
                    words = ["python", *rest[rest.index("-m") :]]
                    continue
                words = skip_options(
                    rest[1:],
                    (
                        "--with",
                        "--extra",
                        "-p",
                        "--python",
                        "--group",
                        "--package",
                        "--directory",
                        "--project",
                        "--env-file",
                        "--only-group",
                        "--with-requirements",
                        "--index",
                    ),
                )
            elif name in ("uvx", "pipx") and (name == "uvx" or rest[:1] == ["run"]):
                body = rest if name == "uvx" else rest[1:]
                words = skip_options(
                    body, ("--from", "--with", "-p", "--python", "--spec", "--index-url")
                )
                if words:
                    words = [
                        words[0].split("[", 1)[0].split("==", 1)[0].split("@", 1)[0],
                        *words[1:],
                    ]
            elif name in ("conda", "mamba", "micromamba") and rest[:1] == ["run"]:
                words = skip_options(rest[1:], ("-n", "--name", "-p", "--prefix"))
            elif name == "bundle" and rest[:1] == ["exec"]:
                words = rest[1:]
            elif name in ("mise", "rtx") and rest[:1] in (["exec"], ["x"]):
                words = skip_options(rest[1:])
            elif name == "asdf" and rest[:1] == ["exec"]:
                words = rest[1:]
            elif name == "direnv" and rest[:1] == ["exec"]:
                words = rest[2:]
            elif name == "nix" and rest[:1] in (["develop"], ["shell"]):
                marker = next((i for i, w in enumerate(rest) if w in ("-c", "--command")), None)
                words = rest[marker + 1 :] if marker is not None else []
            elif name == "nix-shell":
                script = flag_value(rest, "--run", "--command") or ""
                words = ["bash", "-c", script] if script else []
            elif name == "dotnet" and rest[:2] == ["tool", "run"]:
                words = rest[2:]
            elif name == "php" and rest:
                words = skip_options(rest, ("-d", "-c"))
            elif name == "node" and rest and rest[0] == "--test":
                return ["node", "--test"]
            elif name == "node" and rest:
                words = skip_options(rest, ("-r", "--require", "--loader", "--import"))
            else:
                return words
        return words

    # --- wrappers that hand over -------------------------------------------------------

    def _shell(self, args: list[str], cwd: str, depth: int) -> list[Found]:
        if "-c" in args:
            index = args.index("-c")
            return self.script(args[index + 1], cwd, depth + 1) if index + 1 < len(args) else []
        for flag_cluster in args:
            if (
                flag_cluster.startswith("-")
                and not flag_cluster.startswith("--")
                and ("c" in flag_cluster[1:])
            ):  # `bash -ec 'script'`
                index = args.index(flag_cluster)
                return self.script(args[index + 1], cwd, depth + 1) if index + 1 < len(args) else []
        rest = skip_options(args, ("-o", "+o", "-O", "+O", "--rcfile", "--init-file"))
        if not rest:
            return []
        followed = self._follow_script(rest[0], cwd, depth, rest[1:])
        return followed or []

    def _follow_script(
        self, path: str, cwd: str, depth: int, args: Sequence[str] = ()
    ) -> list[Found] | None:
        """Commands of a local shell script (None when it is not a readable shell script)."""
        if any(c in path for c in "$`{}*?") or depth >= MAX_FOLLOW_DEPTH:
            return None
        relative = join(cwd, path)
        if relative is None or not self.repo.exists(relative):
            relative = join("", path)
            if relative is None or not self.repo.exists(relative):
                return None
        text = self.repo.read(relative, AUX_MAX_SIZE)
        if text is None:
            return None
        first = text.split("\n", 1)[0]
        if first.startswith("#!"):
            interpreter = first[2:].strip().split()
            program = command_name(
                interpreter[-1]
                if interpreter and command_name(interpreter[0]) == "env"
                else (interpreter[0] if interpreter else "")
            )
            if program not in _SHELLS:
                return []
        elif not relative.endswith(".sh"):
            return []
        key = ("script", relative)
        found = self._memoised(key, lambda: self.script(text, cwd, depth + 1))
        return [
            replace(f, line=0, via=(f"{self.repo.display(relative)}:{f.line + 1}", *f.via))
            for f in found
        ]

    def _memoised(self, key: tuple[str, ...], build: Callable[[], list[Found]]) -> list[Found]:
        if key in self._memo:
            return self._memo[key]
        if key in self._active:
            return []  # a cycle: make targets or scripts calling each other
        self._active.add(key)
        try:
            result = build()
        finally:
            self._active.discard(key)
        self._memo[key] = result
        return result

    def _python(self, args: list[str], cwd: str, depth: int, detail: str) -> list[Found]:
        if "-m" in args:
            index = args.index("-m")
            if index + 1 >= len(args):
                return []
            module = (
                args[index + 1].split(".", 1)[0]
                if args[index + 1] not in ("py.test",)
                else "pytest"
            )
            module = {
                "pip_audit": "pip-audit",
                "cyclonedx_py": "cyclonedx-py",
                "nose": "nosetests",
            }.get(module, module)
            if module == "django" and "test" in args[index + 2 : index + 3]:
                return [Found(TEST, "django", detail)]
            if module == "sigstore" and "sign" in args[index + 2 : index + 4]:
                return [Found(SIGNING, "sigstore", detail)]
            if module == "unittest":
                return [Found(TEST, "unittest", detail)]
            return self._command([module, *args[index + 2 :]], cwd, depth + 1)
        rest = skip_options(args, ("-W", "-X"))
        if "-c" in args[: len(args) - len(rest)] or not rest:
            return []
        script = rest[0]
        base = command_name(script)
        tail = rest[1:]
        if base in ("manage.py",) and tail[:1] == ["test"]:
            return [Found(TEST, "django", detail)]
        if base == "setup.py" and "test" in tail:
            return [Found(TEST, "setuptools", detail)]
        if _PY_TEST_SCRIPT.match(base):  # a test runner script (`runtests.py`, `x_tests.py`)
            return [Found(TEST, "python", detail)]
        return []

    def _docker(self, name: str, args: list[str], cwd: str, depth: int, detail: str) -> list[Found]:
        tool = {
            "docker": "docker",
            "podman": "podman",
            "nerdctl": "nerdctl",
            "finch": "finch",
            "docker-compose": "docker-compose",
        }[name]
        rest = skip_options(args, _DOCKER_GLOBALS)
        if name == "docker-compose":
            rest = ["compose", *rest]
        if not rest:
            return []
        sub = rest[0]
        tail = rest[1:]
        if sub == "compose":
            compose = skip_options(
                tail,
                (
                    "-f",
                    "--file",
                    "-p",
                    "--project-name",
                    "--profile",
                    "--env-file",
                    "--project-directory",
                ),
            )
            if compose[:1] == ["build"]:
                return [Found(IMAGE_BUILD, tool, detail)]
            if compose[:1] in (["run"], ["exec"]):
                inner = skip_options(
                    compose[1:],
                    (
                        "-e",
                        "--env",
                        "-w",
                        "--workdir",
                        "-u",
                        "--user",
                        "--name",
                        "-p",
                        "--publish",
                        "-v",
                        "--volume",
                        "--entrypoint",
                    ),
                )
                return self._command(inner[1:], cwd, depth + 1) if len(inner) > 1 else []
            return []
        if sub == "image" and tail[:1] == ["build"]:
            sub, tail = "build", tail[1:]
        if sub == "builder" and tail[:1] == ["build"]:
            sub, tail = "build", tail[1:]
        if sub == "buildx":
            inner = skip_options(tail, ("--builder",))
            if inner[:1] in (["build"], ["b"], ["bake"]):
                return self._buildx(inner[1:], detail)
            return []
        if sub == "build":
            if tool == "docker":
                return self._buildx(tail, detail, "docker")
            return [Found(IMAGE_BUILD, tool, detail)]
        if sub == "sbom":
            return [Found(SBOM, "docker-sbom", detail)]
        if (
            sub == "scout"
            and tail[:1]
            and tail[0] in ("cves", "quickview", "qv", "recommendations", "compare")
        ):
            return [Found(VULNERABILITY_SCAN, "docker-scout", detail)]
        if sub == "scout" and tail[:1] == ["sbom"]:
            return [Found(SBOM, "docker-scout", detail)]
        if sub == "trust" and tail[:1] == ["sign"]:
            return [Found(SIGNING, "docker-trust", detail)]
        if sub in ("run", "exec", "container"):
            if sub == "container":
                if tail[:1] != ["run"]:
                    return []
                tail = tail[1:]
            inner = skip_options(tail, _DOCKER_RUN_VALUED)
            if not inner:
                return []
            if sub == "exec":
                return self._command(inner[1:], cwd, depth + 1)
            entrypoint = flag_value(tail, "--entrypoint")
            if entrypoint:
                return self._command([entrypoint, *inner[1:]], cwd, depth + 1)
            return self.image(inner[0], inner[1:], cwd, depth + 1)
        return []

    def _buildx(self, args: list[str], detail: str, tool: str = "buildx") -> list[Found]:
        found = [Found(IMAGE_BUILD, tool, detail)]
        sbom = flag_value(args, "--sbom")
        attest = [a for i, a in enumerate(args) if i and args[i - 1] == "--attest"] + [
            a.split("=", 1)[1] for a in args if a.startswith("--attest=")
        ]
        if (sbom is not None and truthy(sbom or "true")) or any("type=sbom" in a for a in attest):
            found.append(Found(SBOM, "buildx", detail))
        provenance = flag_value(args, "--provenance")
        if (provenance is not None and truthy(provenance or "true")) or any(
            "type=provenance" in a for a in attest
        ):
            found.append(Found(PROVENANCE, "buildx", detail))
        return found

    # --- followed files ----------------------------------------------------------------

    def _make(self, args: list[str], cwd: str, depth: int, detail: str) -> list[Found]:
        directory = cwd
        makefile_name: str | None = None
        targets: list[str] = []
        overrides: dict[str, str] = {}
        index = 0
        dry_run = False
        while index < len(args):
            word = args[index]
            if word in ("-C", "--directory") and index + 1 < len(args):
                directory = join(directory, args[index + 1]) or ""
                index += 2
                continue
            if word.startswith("-C") and len(word) > 2:
                directory = join(directory, word[2:]) or ""
            elif word in ("-f", "--file", "--makefile") and index + 1 < len(args):
                makefile_name = args[index + 1]
                index += 2
                continue
            elif (
                word in ("-j", "-l", "-o", "-W", "-I")
                and index + 1 < len(args)
                and (args[index + 1].isdigit() or word != "-j")
            ):
                index += 2
                continue
            elif word in ("-n", "--dry-run", "--just-print", "--recon"):
                dry_run = True
            elif word.startswith("-"):
                pass
            elif "=" in word:
                key, _, value = word.partition("=")
                overrides[key] = value
            else:
                targets.append(word)
            index += 1
        if dry_run:
            return []
        makefile = self.repo.makefile(directory, makefile_name)
        if makefile is None:  # not in the repository: only a test-named target tells
            return (
                [Found(TEST, "make test", detail)]
                if any(TEST_NAME.match(t) for t in targets)
                else []
            )
        goals = targets or ([makefile.default] if makefile.default else [])
        found: list[Found] = []
        for goal in goals:
            if "$" in goal:
                continue
            found.extend(self._make_target(makefile.path, goal, directory, depth + 1, overrides))
        if (
            not found
            and any(TEST_NAME.match(t) for t in goals)
            and not any(t in makefile.targets for t in goals)
        ):
            found.append(Found(TEST, "make test", detail))
        return found

    def _make_target(
        self, path: str, goal: str, directory: str, depth: int, overrides: dict[str, str]
    ) -> list[Found]:
        key = ("make", path, goal, directory, json.dumps(overrides, sort_keys=True))

        def build() -> list[Found]:
            makefile = self.repo.makefile(posixpath.dirname(path), posixpath.basename(path))
            if makefile is None or depth > MAX_FOLLOW_DEPTH:
                return []
            stem = ""
            target = makefile.targets.get(goal)
            if target is None:
                matched = makefile.pattern_for(goal)
                if matched is None:
                    return []
                target, stem = matched
            found: list[Found] = []
            for prerequisite in target.prerequisites:
                prerequisite = makefile.expand(prerequisite.replace("%", stem), overrides)
                if prerequisite in makefile.targets or (
                    "$" not in prerequisite and makefile.pattern_for(prerequisite)
                ):
                    found.extend(
                        self._make_target(path, prerequisite, directory, depth + 1, overrides)
                    )
                elif "$(" in prerequisite or "${" in prerequisite:
                    # Computed prerequisites (`$(addprefix docker-build-,$(ARCHS))`): follow the
                    # pattern rules named after this target (`docker-build-%`).
                    for rule in makefile.patterns:
                        if rule.name.startswith((f"{goal}-", f"{goal}_")):
                            found.extend(
                                self._make_target(
                                    path,
                                    rule.name.replace("%", "any"),
                                    directory,
                                    depth + 1,
                                    overrides,
                                )
                            )
            for text, number in target.recipe:
                text = text.replace("$*", stem).replace("$(*)", stem)
                line = makefile.expand(text.lstrip().lstrip("@-+").lstrip(), overrides)
                line = re.sub(r"\$\((?:MAKE)\)|\$\{MAKE\}", "make", line)
                where = f"{self.repo.display(path)}:{number}"
                for item in self.script(line, directory, depth):
                    found.append(replace(item, line=0, via=(where, *item.via)))
            return found

        return self._memoised(key, build)

    def _node(self, name: str, args: list[str], cwd: str, depth: int, detail: str) -> list[Found]:
        if name in ("npx", "pnpx", "bunx"):
            rest = skip_options(args, ("-p", "--package", "-c", "--call"))
            if not rest:
                return []
            package = rest[0]
            if package.startswith("@") and "/" in package:
                package = package.split("/", 1)[1]
            package = package.split("@", 1)[0]
            return self._command([package, *rest[1:]], cwd, depth + 1)
        valued = (
            "--prefix",
            "-w",
            "--workspace",
            "-C",
            "--dir",
            "--filter",
            "-F",
            "--cwd",
            "--cache",
            "--registry",
            "--loglevel",
            "--reporter",
        )
        directory = cwd
        prefix = flag_value(args, "--prefix", "-C", "--dir", "--cwd")
        if prefix:
            directory = join(cwd, prefix) or ""
        rest = positional(args, valued)
        if not rest:
            return []
        sub = rest[0]
        if name == "yarn" and sub == "workspace" and len(rest) > 2:
            rest = rest[2:]
            sub = rest[0]
            directory = ""  # the workspace's own package.json is not located; use names
        if name == "yarn" and sub == "workspaces" and rest[1:2] == ["foreach"]:
            rest = positional(rest[2:], ("--from", "--include", "--exclude", "-j"))
            sub = rest[0] if rest else ""
        if sub in ("exec", "dlx", "x") and name in ("npm", "pnpm", "yarn"):
            inner = skip_options(args[args.index(sub) + 1 :], ("-p", "--package", "-c"))
            return self._command(inner, cwd, depth + 1)
        if sub == "audit" and (name != "npm" or rest[1:2] != ["signatures"]):
            return [Found(VULNERABILITY_SCAN, f"{name}-audit", detail)]
        if name == "yarn" and sub == "npm" and rest[1:2] == ["audit"]:
            return [Found(VULNERABILITY_SCAN, "yarn-audit", detail)]
        if name == "bun" and sub == "test":
            return [Found(TEST, "bun test", detail)]
        if sub in ("test", "t", "tst"):
            script = "test"
        elif sub in ("run", "run-script", "rum", "urn") and len(rest) > 1:
            script = rest[1]
        elif name in ("yarn", "pnpm", "bun") and sub not in _NODE_BUILTINS:
            script = sub
        else:
            return []
        return self._package_script(name, script, directory, depth, detail)

    def _package_script(
        self, runner: str, script: str, directory: str, depth: int, detail: str
    ) -> list[Found]:
        relative = join(directory, "package.json")
        text = self.repo.read(relative, AUX_MAX_SIZE) if relative else None
        test_named = bool(TEST_NAME.match(script)) and script != "check"
        tool = f"{runner} test"
        if text is None or relative is None:
            return [Found(TEST, tool, detail)] if test_named else []
        try:
            scripts = json.loads(text).get("scripts") or {}
        except (ValueError, AttributeError):
            scripts = {}
        body = scripts.get(script) if isinstance(scripts, dict) else None
        if not isinstance(body, str):
            return []
        commands = split_commands(body)
        only_echo = all(
            command_name(c.argv[0]) in ("echo", "exit", "true", "false", ":", "printf")
            for c in commands
            if c.argv
        )
        if only_echo:
            return []  # npm's placeholder `echo "Error: no test specified" && exit 1`
        where = self.repo.display(relative)
        found = self._memoised(
            ("npm", relative, script), lambda: self.script(body, directory, depth + 1)
        )
        found = [replace(f, line=0, via=(where, *f.via)) for f in found]
        if test_named and not any(f.kind == TEST for f in found):
            found.append(Found(TEST, tool, detail, via=(where,)))
        return found

    def _goreleaser(self, args: list[str], cwd: str, detail: str) -> list[Found]:
        rest = positional(
            args,
            (
                "-f",
                "--config",
                "--parallelism",
                "-p",
                "--timeout",
                "--release-notes",
                "--skip",
                "--id",
            ),
        )
        sub = rest[0] if rest else "release"
        if sub not in ("release", "r"):
            return []
        skip = ",".join(a.split("=", 1)[1] for a in args if a.startswith("--skip="))
        skip += "," + ",".join(a[len("--skip-") :] for a in args if a.startswith("--skip-"))
        index = [i for i, a in enumerate(args) if a == "--skip"]
        skip += "," + ",".join(args[i + 1] for i in index if i + 1 < len(args))
        config = flag_value(args, "-f", "--config")
        return self._goreleaser_config(cwd, config, skip, detail)

    def _goreleaser_config(
        self, cwd: str, config: str | None, skip: str, detail: str
    ) -> list[Found]:
        from cnmm.collect.ci._yaml import load_documents
        from cnmm.collect.manifests import ParseError

        names = (
            [config]
            if config
            else [".goreleaser.yml", ".goreleaser.yaml", "goreleaser.yml", "goreleaser.yaml"]
        )
        for name in names:
            relative = join(cwd, name)
            text = self.repo.read(relative, AUX_MAX_SIZE) if relative else None
            if text is None or relative is None:
                continue
            try:
                docs = load_documents(text)
            except ParseError:
                return []
            data = docs[0][0] if docs else None
            if not isinstance(data, dict):
                return []
            return goreleaser_features(data, self.repo.display(relative), skip, detail)
        return []

    # --- the command word decides --------------------------------------------------------


_NODE_BUILTINS = frozenset(
    {
        "install",
        "i",
        "add",
        "remove",
        "rm",
        "upgrade",
        "up",
        "why",
        "workspaces",
        "dlx",
        "exec",
        "set",
        "config",
        "cache",
        "info",
        "init",
        "link",
        "pack",
        "publish",
        "version",
        "npm",
        "plugin",
        "constraints",
        "dedupe",
        "explain",
        "node",
        "rebuild",
        "stage",
        "unlink",
        "bin",
        "audit",
        "ci",
        "outdated",
        "list",
        "ls",
        "login",
        "logout",
        "prune",
        "store",
        "setup",
        "import",
        "fetch",
        "update",
        "create",
        "env",
        "patch",
        "licenses",
        "help",
        "x",
    }
)


_VARIABLE = re.compile(
    r"\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}|\$\{([A-Za-z_][A-Za-z0-9_]*)\}"
    r"|\$([A-Za-z_][A-Za-z0-9_]*)"
)


def literal_variables(*scopes: Any) -> dict[str, str]:
    """Variables with literal one-line values from `env:`/`variables:` mappings (later wins).

    GitLab's `{value: ..., description: ...}` form is accepted; values that are expressions
    themselves (`${{ ... }}`, `$OTHER`) are left out.
    """
    found: dict[str, str] = {}
    for scope in scopes:
        if not isinstance(scope, Mapping):
            continue
        for name, value in scope.items():
            if isinstance(value, Mapping):
                value = value.get("value")
            if isinstance(value, bool) or value is None or isinstance(value, Mapping | list):
                continue
            text = str(value)
            if "$" not in text and "\n" not in text:
                found[str(name)] = text
    return found


def expand_variables(text: str, variables: Mapping[str, str]) -> str:
    """Substitute `${{ env.X }}`, `${X}` and `$X` for known literal variables (one line each)."""
    if not variables:
        return text

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2) or match.group(3)
        return variables.get(name, match.group(0))

    return _VARIABLE.sub(substitute, text)
