"""The LLM engine: structured-output extraction through any OpenAI-compatible server. `client`
is the one module that imports the openai SDK; `answers` holds the schemas, `prompting` the
prompt templates, `cache` the answers kept on disk."""
