"""``mlmeta doctor``: preflight checks of one environment against its AWS account, before the first
``cdk deploy`` (pre) and after it (post). See docs/deploying.md. ``mlmeta.doctor.runner.run_doctor``
runs them; each module holds one group of checks."""
