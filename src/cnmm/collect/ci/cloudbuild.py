"""Google Cloud Build: `cloudbuild*.yaml`/`.yml`/`.json` and `*.cloudbuild.yaml` files.

Each step runs a container image: `entrypoint:` plus `args:` (or the builder's own tool for
the `gcr.io/cloud-builders/*` images, kaniko, skaffold, trivy...; for other images the
first argument is the command), or a `script:`. `bash -c '<script>'` arguments are shell
scripts. `images:` lists images the build pushes (an image build even without a docker
step), and `options.requestedVerifyOption: VERIFIED` asks Cloud Build for SLSA build
provenance. Build triggers live in Google Cloud, not in the file: triggers are `external`.
"""

from __future__ import annotations

from collections.abc import Mapping

from cnmm.collect.ci._draft import Context, PipelineDraft, add_argv, item_lines
from cnmm.collect.ci._yaml import as_map, line_in, script_start
from cnmm.collect.ci.tools import Found
from cnmm.facts.ci import EXTERNAL, IMAGE_BUILD, PROVENANCE, Pipeline

SYSTEM = "google-cloud-build"
LABEL = "Cloud Build configuration"


def is_candidate(relative: str) -> bool:
    """`cloudbuild*.yaml|yml|json` or `*.cloudbuild.yaml|yml` anywhere."""
    name = relative.rpartition("/")[2].lower()
    if not name.endswith((".yaml", ".yml", ".json")):
        return False
    return name.startswith("cloudbuild") or ".cloudbuild." in name


def read_configs(context: Context, relatives: list[str]) -> list[Pipeline]:
    """Every readable Cloud Build configuration as a Pipeline."""
    found: list[Pipeline] = []
    triggers = frozenset({EXTERNAL})
    for relative in relatives:
        docs = context.load_yaml(relative, LABEL)
        if docs is None:
            continue
        doc = as_map(docs[0][0] if docs else None)
        steps = doc.get("steps")
        if not isinstance(steps, list):
            context.error(relative, f"{LABEL}: unknown syntax (no `steps:` list)")
            continue
        draft = PipelineDraft(
            SYSTEM, context.repo.display(relative), relative, 1, relative, triggers=triggers
        )
        classifier = context.classifier
        for index, step in enumerate(steps):
            if not isinstance(step, Mapping):
                continue
            name = str(step.get("id") or step.get("name") or f"step {index + 1}")
            line = line_in(steps, index)
            job = draft.new_job(name, line, triggers)
            image = str(step.get("name") or "")
            args = (
                [str(a) for a in step.get("args") or []]
                if isinstance(step.get("args"), list)
                else []
            )
            entrypoint = step.get("entrypoint")
            if isinstance(step.get("script"), str):
                job.add(classifier.script(step["script"]), draft.path, script_start(step, "script"))
            elif isinstance(entrypoint, str) and entrypoint:
                lines = [line_in(step, "entrypoint", line), *item_lines(step.get("args"))]
                add_argv(job, classifier, [entrypoint, *args], lines, draft.path, line)
            else:
                by_image = classifier.image(image, args)
                if by_image:
                    job.add(by_image, draft.path, line_in(step, "args", line))
                elif args:  # an image without entrypoint runs its arguments as the command
                    add_argv(job, classifier, args, item_lines(step.get("args")), draft.path, line)
        images = doc.get("images")
        if isinstance(images, list) and images:
            job = draft.new_job("images", line_in(doc, "images"), triggers)
            job.add(
                [Found(IMAGE_BUILD, "cloud-build", "images: " + ", ".join(map(str, images)))],
                draft.path,
                line_in(doc, "images"),
            )
        options = doc.get("options")
        verify = options.get("requestedVerifyOption") if isinstance(options, Mapping) else None
        if str(verify).upper() == "VERIFIED":
            job = draft.new_job("options", line_in(doc, "options"), triggers)
            job.add(
                [Found(PROVENANCE, "cloud-build", "requestedVerifyOption: VERIFIED")],
                draft.path,
                line_in(options, "requestedVerifyOption"),
            )
        found.append(draft.freeze())
    return found
