"""Churn prediction: tabular binary classification (will a customer cancel in the next 30 days?)."""
