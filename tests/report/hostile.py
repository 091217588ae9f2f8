"""An assessment document whose user-provided text tries to inject markup, links and scripts."""

from __future__ import annotations

import copy
from typing import Any

SCRIPT = "<script>window.__pwned = 1; alert('scope')</script>"
IMG = '<img src=x onerror="window.__pwned = 2">'
STYLE_BREAK = "</style><script>window.__pwned = 3</script>"
JS_LINK = "javascript:window.__pwned=4"
MD_LINK = "[click](https://evil.example/) ![img](https://evil.example/i.png) | `x` **b**"


def hostile(doc: dict[str, Any]) -> dict[str, Any]:
    """A copy of `doc` with hostile text in every place users or scanned files fill in."""
    bad = copy.deepcopy(doc)
    bad["scope"]["name"] = f"shop {SCRIPT}"
    bad["scope"]["parent"] = f"acme {IMG}"
    bad["assessors"] = [{"name": f"Eve {IMG}", "role": STYLE_BREAK}]
    bad["inputs"]["paths"] = [f"/repo/{SCRIPT}"]
    for dim in bad["dimensions"]:
        if dim.get("answer"):
            dim["answer"]["notes"] = f"notes {SCRIPT} {MD_LINK}"
            dim["answer"]["evidence"] = [JS_LINK, "https://wiki.example/ok"]
        for level in dim["levels"]:
            for criterion in level["criteria"]:
                criterion["note"] = f"note {IMG}"
                evidence = criterion.get("evidence")
                if evidence:
                    for failing in evidence["failing"]:
                        failing["subject"] = f"Deployment/{SCRIPT}"
                        failing["message"] = STYLE_BREAK
                        failing["path"] = f"deploy/{IMG}.yaml"
    for x in bad["discrepancies"]:
        x["detail"] = f"{x['detail']} {MD_LINK} {SCRIPT}"
        for failing in x["failing"]:
            failing["subject"] = f"Deployment/{SCRIPT}"
            failing["message"] = STYLE_BREAK
    for finding in bad["findings"]:
        finding["message"] = f"{STYLE_BREAK} {MD_LINK}"
        finding["subject"]["name"] = SCRIPT
    bad["errors"] = [{"path": f"broken/{SCRIPT}.yaml", "reason": IMG}]
    return bad
