"""The live-format probe (`make probe`): see pipelines/probe/run.py."""
