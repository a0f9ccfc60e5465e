"""CDK stacks of mlmeta. A stack only composes constructs; settings arrive typed from ``app.py``."""
