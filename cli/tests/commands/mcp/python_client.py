"""The official Python SDK's MCP client drives `videohub mcp` as an agent built on it would,
and prints what it saw as one JSON object on standard output (the Rust test judges it).

    python_client.py --mode legacy|auto generate -- <server command...>
    python_client.py --mode auto --url http://127.0.0.1:PORT/mcp --token T generate
    python_client.py --mode legacy --job JOB --answer accept|decline resend -- <server command...>

`generate`: lists the tools, generates a video with a request id and progress, then calls
`generate` again with the same request id (a retried call). `resend`: asks `retry_job` to send
a job of unknown outcome again, the user answering the server's question with `--answer`.
"""

import argparse
import asyncio
import json
import os

from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
import mcp_types as types


def dump(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def type_arrays(schema, path="$"):
    """Every place of a JSON Schema whose `type` is a list (what strict clients reject)."""
    found = []
    if isinstance(schema, dict):
        if isinstance(schema.get("type"), list):
            found.append(path)
        for key, value in schema.items():
            found += type_arrays(value, f"{path}.{key}")
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            found += type_arrays(value, f"{path}[{i}]")
    return found


async def generate(client):
    tools = (await client.list_tools()).tools
    progress = []

    async def on_progress(value, total, message):
        progress.append(message)

    request = {
        "model": "veo-3.1",
        "input": {"prompt": "a red fox in snow"},
        "request_id": "python-sdk-1",
        "wait_seconds": 50,
    }
    first = dump(await client.call_tool("generate", request, progress_callback=on_progress))
    again = dump(await client.call_tool("generate", request))
    return {
        "tools": sorted(t.name for t in tools),
        "titles": {t.name: t.title for t in tools},
        "annotations": {t.name: dump(t.annotations) if t.annotations else None for t in tools},
        "type_arrays": [
            f"{t.name}{p}"
            for t in tools
            for p in type_arrays(t.input_schema) + type_arrays(t.output_schema or {})
        ],
        "first": first.get("structuredContent"),
        "again": again.get("structuredContent"),
        "links": [c["uri"] for c in first["content"] if c["type"] == "resource_link"],
        "progress": progress,
    }


async def resend(client, job):
    result = dump(await client.call_tool("retry_job", {"job_id": job, "force": True, "wait_seconds": 0}))
    return {"result": result}


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["legacy", "auto"], required=True)
    parser.add_argument("--url")
    parser.add_argument("--token")
    parser.add_argument("--job")
    parser.add_argument("--answer", choices=["accept", "decline"])
    parser.add_argument("scenario", choices=["generate", "resend"])
    parser.add_argument("command", nargs="*")
    args = parser.parse_args()

    if args.url:
        http = create_mcp_http_client(headers={"Authorization": f"Bearer {args.token}"})
        server = streamable_http_client(args.url, http_client=http)
    else:
        server = StdioServerParameters(
            command=args.command[0], args=args.command[1:], env=dict(os.environ)
        )

    questions = []

    async def on_question(context, params):
        questions.append(params.message)
        if args.answer == "accept":
            return types.ElicitResult(action="accept", content={})
        return types.ElicitResult(action="decline")

    async with Client(
        server,
        mode=args.mode,
        elicitation_callback=on_question if args.answer else None,
        read_timeout_seconds=120,
    ) as client:
        if args.scenario == "generate":
            seen = await generate(client)
        else:
            seen = await resend(client, args.job)
        seen["protocol"] = client.protocol_version
        seen["questions"] = questions
    print(json.dumps(seen))


asyncio.run(main())
