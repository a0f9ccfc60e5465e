"""What happens to the lake's data when the stack goes: pinned logical IDs, removal policies, protection."""

from __future__ import annotations

# Logical IDs of everything in the lake stack that holds data or is referenced by name from outside.
# A changed construct id changes a logical ID, and CloudFormation then REPLACES the resource (a new,
# empty bucket; a new key). If this test fails, that is what the change would do: keep the old ids.
PINNED_STATEFUL_RESOURCES = {
    "StorageKeyBAA9457B": "AWS::KMS::Key",
    "StorageAccessLogs96FB524C": "AWS::S3::Bucket",
    "StorageBucket5CB7C8EA": "AWS::S3::Bucket",
    "CatalogDatabaseE63956BB": "AWS::Glue::Database",
    # The analysts' views keep the ids of the tables they replaced (docs/compaction.md): CloudFormation
    # updates those in place instead of creating a second resource of the same name.
    "Catalogmetricsnapshots8739885C": "AWS::Glue::Table",
    "CatalogcomponentsnapshotsBD107D7E": "AWS::Glue::Table",
    "Catalognamingaudit9F638B3D": "AWS::Glue::Table",
    "CatalogmetricsnapshotsrawF30DE490": "AWS::Glue::Table",
    "CatalogcomponentsnapshotsrawC91C31B9": "AWS::Glue::Table",
    "Catalognamingauditraw7E675591": "AWS::Glue::Table",
    "Catalogmetricsnapshotscompacted0BC168DC": "AWS::Glue::Table",
    "Catalogcomponentsnapshotscompacted2FE607B1": "AWS::Glue::Table",
    "CatalognamingauditcompactedDFD2A191": "AWS::Glue::Table",
    # The derived view of one value per execution (docs/queries.md).
    "CatalogexecutionmetricsD9C2C3D2": "AWS::Glue::Table",
    "WorkgroupD5BC63A0": "AWS::Athena::WorkGroup",
}
STATEFUL_TYPES = set(PINNED_STATEFUL_RESOURCES.values())
# Data lives here; these follow the environment's retain_data.
DATA_TYPES = {"AWS::KMS::Key", "AWS::S3::Bucket"}


def test_stateful_logical_ids_are_pinned(env_app):
    resources = env_app.template_json(env_app.stacks.lake)["Resources"]
    stateful = {logical_id: r["Type"] for logical_id, r in resources.items() if r["Type"] in STATEFUL_TYPES}
    assert stateful == PINNED_STATEFUL_RESOURCES


def test_data_is_retained_and_protected_exactly_where_the_environment_says_so(env_app):
    assert env_app.artifact(env_app.stacks.lake).termination_protection is env_app.settings.retain_data
    expected = "Retain" if env_app.settings.retain_data else "Delete"
    resources = env_app.template_json(env_app.stacks.lake)["Resources"]
    data = {k: r for k, r in resources.items() if r["Type"] in DATA_TYPES}
    assert len(data) == 3
    policies = {k: (r.get("DeletionPolicy"), r.get("UpdateReplacePolicy")) for k, r in data.items()}
    assert policies == {k: (expected, expected) for k in data}


def test_prod_retains_and_is_protected_while_dev_is_disposable(synthesized):
    for env_name, retained in (("prod", True), ("dev", False)):
        env_app = synthesized(env_name)
        assert env_app.settings.retain_data is retained
        assert env_app.artifact(env_app.stacks.lake).termination_protection is retained
        policies = {
            r.get("DeletionPolicy")
            for r in env_app.template_json(env_app.stacks.lake)["Resources"].values()
            if r["Type"] in DATA_TYPES
        }
        assert policies == {"Retain" if retained else "Delete"}


def test_catalog_and_workgroup_are_rebuilt_from_code_not_retained(env_app):
    # They hold no data; retaining them would make a re-deploy collide with the leftover names.
    resources = env_app.template_json(env_app.stacks.lake)["Resources"]
    rebuilt = [r for r in resources.values() if r["Type"] in STATEFUL_TYPES - DATA_TYPES]
    assert rebuilt and all("DeletionPolicy" not in r for r in rebuilt)
