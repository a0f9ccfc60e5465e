"""What the library, the Lambdas and the pipeline step share: pure stdlib, shipped as it is."""
