"""mlmeta's contract: what the stacks, the Lambdas, the pipeline steps and the laptop must agree on (the
naming convention, the lake's data contract, the events and their names), shipped whole into every
Lambda asset and step bundle. Standard library only, except ``mlmeta_contract.events.models`` (pydantic)."""
