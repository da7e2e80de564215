"""Experiments shared by claims: training and measurement code, one module per topic."""
