"""Event handling as data: the events stack's rules and handlers (``routes``, ``handlers``) and
EventBridge pattern matching (``patterns``), read at synth by the stacks and on the laptop by
``mlmeta replay``, whose engine is in ``mlmeta.local``. Nothing here imports aws_cdk or moto."""
