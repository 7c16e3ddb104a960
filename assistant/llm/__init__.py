"""LLM backends behind the ``Generator`` port: llama.cpp in-process, transformers, OpenAI-compatible HTTP."""
