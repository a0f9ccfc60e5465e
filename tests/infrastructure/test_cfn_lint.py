"""cfn-lint on every synthesized template: no errors, no warnings (the same bar as `make synth`)."""

from __future__ import annotations

import json

from cfnlint.api import lint


def test_templates_pass_cfn_lint(env_app):
    for stack in env_app.stacks.all():
        matches = lint(json.dumps(env_app.template_json(stack)), regions=[env_app.settings.region])
        assert [f"{m.rule.id} {m.message} ({'/'.join(map(str, m.path))})" for m in matches] == []
