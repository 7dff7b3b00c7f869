"""Tests of perfeval_xl."""
