"""Event handling as data and as a local run: the events stack's rules and handlers
(``routes``, ``handlers``), EventBridge pattern matching (``patterns``), and ``mlmeta replay``'s engine
(``replay``), which runs the real handler code on recorded events against an embedded or given AWS
endpoint. Nothing here imports aws_cdk."""
