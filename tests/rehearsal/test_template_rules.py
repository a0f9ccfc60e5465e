"""A template's Rules evaluated as CloudFormation evaluates them (moto ignores them): CDK's bootstrap check."""

from __future__ import annotations

import pytest

from mlmeta.local.rehearsal.template_rules import RuleError, failed_assertions

# As CDK synthesizes it (every mlmeta template has it).
BOOTSTRAP_RULE = {
    "Rules": {
        "CheckBootstrapVersion": {
            "Assertions": [
                {
                    "Assert": {"Fn::Not": [{"Fn::Contains": [["1", "2", "3", "4", "5"], {"Ref": "BootstrapVersion"}]}]},
                    "AssertDescription": "CDK bootstrap stack version 6 required. Please run 'cdk bootstrap' with a recent version of the CDK CLI.",
                }
            ]
        }
    }
}


@pytest.mark.parametrize("version", ["6", "33"])
def test_a_recent_bootstrap_passes(version):
    assert failed_assertions(BOOTSTRAP_RULE, {"BootstrapVersion": version}) == []


def test_an_old_bootstrap_fails_with_the_rules_description():
    assert failed_assertions(BOOTSTRAP_RULE, {"BootstrapVersion": "5"}) == [
        "CheckBootstrapVersion: CDK bootstrap stack version 6 required. Please run 'cdk bootstrap' with a recent version of the CDK CLI."
    ]


def test_a_rule_condition_that_does_not_hold_skips_the_rule():
    rule = {"Rules": {"OnlyInProd": {
        "RuleCondition": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
        "Assertions": [{"Assert": {"Fn::Equals": [{"Ref": "Size"}, "large"]}, "AssertDescription": "prod is large"}],
    }}}
    assert failed_assertions(rule, {"Env": "dev", "Size": "small"}) == []
    assert failed_assertions(rule, {"Env": "prod", "Size": "small"}) == ["OnlyInProd: prod is large"]


def test_a_function_the_rehearsal_does_not_evaluate_is_an_error_not_a_pass():
    rule = {"Rules": {"Azs": {"Assertions": [{"Assert": {"Fn::EachMemberIn": [[], []]}}]}}}
    with pytest.raises(RuleError, match="Fn::EachMemberIn is a rule function the rehearsal does not evaluate"):
        failed_assertions(rule, {})
