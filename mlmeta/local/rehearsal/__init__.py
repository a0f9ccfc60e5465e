"""``mlmeta rehearse``: a deploy rehearsal of one environment's synthesized templates into the embedded
AWS (a moto server), through CloudFormation's API, then events replayed against what was deployed
(docs/deploying.md, "Deploy rehearsal"). Laptop code: it runs against moto only, never real AWS.

- ``assembly``: the cloud assembly (``cdk.out/<env>``): stacks in deployment order, templates, assets;
- ``template_fit``: what of a template moto's CloudFormation can create, and what is left out and why;
- ``template_rules``: the template's Rules (CDK's bootstrap check), which moto ignores;
- ``bootstrap``: what ``cdk bootstrap`` and AWS would have put there (SSM parameters, the assets
  bucket, the public layers) and the assets ``cdk deploy`` publishes;
- ``custom_resources``: custom resources answered by their provider's handler, run in this process;
- ``moto_cfn_gaps``: moto's CloudFormation models that mistake a property's shape, corrected server-side;
- ``deploy``: the stacks created in order, one report per stack;
- ``deployed``: the deployed environment read back (rules, functions, outputs) for replay.
"""
