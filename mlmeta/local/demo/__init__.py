"""``mlmeta demo``: the main job end to end on the embedded defaults, with no AWS account (docs/demo.md).

An embedded AWS (a moto server on 127.0.0.1) gets what the stacks deploy (the lake bucket, the
quarantine queue, the notices topic, the config's experiments through the experiments stack's
custom-resource handler). Months of pipeline executions are simulated in it (SageMaker's state as
Pipelines, the jobs and the evaluate step leave it) and the events AWS would send about them are
replayed through the events stack's rules to the real handlers (``mlmeta replay``'s engine), with a
planted drift, one malformed event and one duplicated event. The lake is then copied out, queried with
the named queries on DuckDB and charted.

- ``settings``: what is simulated and how drift is judged; ``history``: the history as plain data;
- ``aws_events``: the events AWS would send; ``sagemaker_state``: the state SageMaker would hold;
- ``deploy``: the experiments, through the stack's handler (``mlmeta.local.checkout``: code imported from the repository);
- ``run``: the orchestration (``run_demo``); ``report``: the text; ``progress``: the progress on stderr.

Nothing is imported here: ``mlmeta demo``'s options come from ``settings`` without loading boto3,
moto or DuckDB into every other command.
"""
