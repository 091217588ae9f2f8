"""Assessment files: people's answers as reviewable YAML ("assessment as code").

`cnmm.assessment.model` holds the typed answers, `cnmm.assessment.loader` reads and checks
files (every problem as `file:line: what is wrong`), `cnmm.assessment.render` writes them
(and the Markdown questionnaire), `cnmm.assessment.writer` saves them atomically and
`cnmm.assessment.view` shows scores in the terminal.
"""
