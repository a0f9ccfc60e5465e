"""What every use case's step code shares: metrics, experiment tracking, AWS clients."""
