"""Calls a running Ballast through the official Python `openai` package and prints what it saw as JSON.

Usage: BALLAST_URL=http://127.0.0.1:8080 BALLAST_API_KEY=dev-key python test/python/openai_sdk_check.py
The jest spec test/python-openai-sdk.spec.ts runs it (in .venv, from test/python/requirements.txt)
against embedded Ballast and asserts on the printed observations.
"""

import json
import os
import sys

import openai

BASE_URL = os.environ["BALLAST_URL"].rstrip("/") + "/v1"
API_KEY = os.environ["BALLAST_API_KEY"]
PREFIX = os.environ.get("BALLAST_ID_PREFIX", "py")


def error_of(call):
    """What the SDK raised: its class, status and the OpenAI error fields."""
    try:
        call()
    except openai.APIStatusError as e:
        return {"class": type(e).__name__, "status": e.status_code, "code": e.code, "param": e.param, "type": e.type}
    return None


def main():
    client = openai.OpenAI(base_url=BASE_URL, api_key=API_KEY, max_retries=0, timeout=30)
    seen = {"sdk_version": openai.__version__}

    done = client.chat.completions.create(
        model="sim-1",
        messages=[{"role": "user", "content": "Hello from the Python SDK"}],
        extra_headers={"Idempotency-Key": f"{PREFIX}-done"},
    )
    seen["completion"] = {
        "id": done.id,
        "object": done.object,
        "content": done.choices[0].message.content,
        "finish_reason": done.choices[0].finish_reason,
        "usage": done.usage.model_dump(include={"prompt_tokens", "completion_tokens", "total_tokens"}),
    }

    cut = client.chat.completions.create(
        model="sim-1", max_tokens=3, messages=[{"role": "user", "content": "Tell me everything about parcels and delivery"}]
    )
    seen["cut"] = {"finish_reason": cut.choices[0].finish_reason, "completion_tokens": cut.usage.completion_tokens}

    prompt = client.chat.completions.create(model="prompt:support-answer", messages=[{"role": "user", "content": "Where is my parcel?"}])
    seen["prompt"] = {"content": prompt.choices[0].message.content, "fingerprint": prompt.system_fingerprint}

    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": False}
    structured = client.chat.completions.create(
        model="sim-1",
        response_format={"type": "json_schema", "json_schema": {"name": "place", "schema": schema, "strict": True}},
        messages=[{"role": "user", "content": "Which city?"}],
    )
    seen["structured"] = json.loads(structured.choices[0].message.content)

    seen["models"] = [m.id for m in client.models.list().data]

    hello = [{"role": "user", "content": "hi"}]
    seen["errors"] = {
        "n": error_of(lambda: client.chat.completions.create(model="sim-1", n=2, messages=hello)),
        "tools": error_of(
            lambda: client.chat.completions.create(
                model="sim-1", messages=hello, tools=[{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]
            )
        ),
        "model": error_of(lambda: client.chat.completions.create(model="gpt-unknown", messages=hello)),
        "key": error_of(
            lambda: openai.OpenAI(base_url=BASE_URL, api_key="not-a-key-of-anyone", max_retries=0).chat.completions.create(model="sim-1", messages=hello)
        ),
    }

    # Streaming through the SDK (stream=True) is checked by test/python/openai_stream_check.py.

    json.dump(seen, sys.stdout)


if __name__ == "__main__":
    main()
