"""mlmeta's contract: what the stacks (synth), the Lambdas, the pipeline steps and the laptop must agree
on, written once and shipped whole into every Lambda asset and step bundle: the naming convention
(``naming``), the lake's data contract (``lake``), the events and their rules (``events``), the handlers'
names and environment variables (``handlers``) and the AWS resource names (``resources``). Standard
library only."""
