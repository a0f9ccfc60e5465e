"""The metric lake's data contract: tables and columns (``schema``), object keys (``layout``) and the
encoding of raw records (``records``). Pure standard library: the writers (Lambdas), the compactor, the
catalog (synth) and the local engine all read it."""
