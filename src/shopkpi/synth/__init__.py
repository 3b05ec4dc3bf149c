"""Synthetic but realistic shop data: a company of N people and its platforms' export files."""

from shopkpi.synth.generate import SynthError, generate
from shopkpi.synth.manifest import SynthFile, SynthManifest

__all__ = ["SynthError", "SynthFile", "SynthManifest", "generate"]
