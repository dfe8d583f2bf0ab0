"""The model proxy: how an agent program inside a sandbox reaches its model.

An in-sandbox agent (`workers/scaffolds/sandbox_program.py`) speaks the OpenAI or Anthropic wire
format to a proxy the worker runs for its attempt, on a Unix socket in a per-attempt folder mounted
read-only into the sandbox. The proxy translates each request into Horizon's own model-client call
(`workers/providers/`), so the real key, retries, rate limits, pricing and metering are those of
the built-in scaffolds, and answers in the format it was asked in:

- `wire`: what both formats share (the parsed request, refusals);
- `openai_wire`, `anthropic_wire`: the two formats, requests in and replies (JSON or SSE) out;
- `server`: the HTTP server on the socket (bounds, the dummy token, limits, transcript);
- `relay`: the stdlib-only script the sandbox runs to offer the socket at 127.0.0.1:<port>.

Why the socket is the sandbox's only way out: docs/security.md, "In-sandbox agents".
"""
