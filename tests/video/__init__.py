"""Tests of voxweave.video."""
