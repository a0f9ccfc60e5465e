"""Storage building blocks shared by the stateful stacks."""
