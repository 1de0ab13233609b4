from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from kollega.stc.llm import ChatClient, LlmError
from kollega.stc.steps import Condenser, draft_condensate
from kollega.stc.types import MeaningUnit, Span


class _Handler(BaseHTTPRequestHandler):
    requests: list[dict] = []
    reply: dict = {}

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
        )
        data = json.dumps(type(self).reply).encode()
        self.send_response(200 if type(self).reply else 500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.requests = []
    _Handler.reply = {
        "choices": [{"message": {"role": "assistant", "content": " Jeg var redd og sliten. "}}]
    }
    httpd = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


UNITS = [
    MeaningUnit(
        id="u1", span=Span("t", 0, 30), text="Hun var redd for at noen skulle vite.", coder="a"
    ),
    MeaningUnit(id="u2", span=Span("t", 40, 70), text="Hun var sliten hele tiden.", coder="a"),
]


def test_first_person_rewrite_uses_the_configured_endpoint(server, hashing):
    client = ChatClient(base_url=server, model="llama3", api_key="k")
    c = draft_condensate(UNITS, subgroup_id="s", embedder=hashing, rewriter=client)
    assert c.text == "Jeg var redd og sliten."
    assert not c.extractive
    (req,) = _Handler.requests
    assert req["path"] == "/v1/chat/completions" and req["auth"] == "Bearer k"
    assert req["body"]["model"] == "llama3"
    assert "Hun var sliten hele tiden." in req["body"]["messages"][1]["content"]


def test_assistance_records_the_language_model(server, hashing):
    cond = Condenser(embedder=hashing, rewriter=ChatClient(base_url=server, model="llama3"))
    cond.draft_condensate(UNITS, subgroup_id="s")
    assert "llama3" in cond.assistance_.model
    assert cond.assistance_.settings["rewriter"]["model"] == "llama3"
    rebuilt = Condenser.from_config(cond.get_config(), embedder=hashing)
    assert rebuilt.rewriter is not None and rebuilt.rewriter.base_url == server


def test_endpoint_errors_are_reported(server, hashing):
    _Handler.reply = {}
    with pytest.raises(LlmError, match="failed"):
        ChatClient(base_url=server, model="m").chat("s", "u")
    _Handler.reply = {"unexpected": True}
    with pytest.raises(LlmError, match="no choices"):
        ChatClient(base_url=server, model="m").chat("s", "u")


def test_without_endpoint_the_draft_is_extractive(hashing):
    c = draft_condensate(UNITS, subgroup_id="s", embedder=hashing)
    assert c.extractive and "Hun var" in c.text


def test_code_suggestions_from_descriptions_go_to_the_configured_endpoint(server):
    from kollega.stc.llm import suggest_codes_llm
    from kollega.stc.types import CodeGroup

    groups = [
        CodeGroup(id="cat", name="Health", codable=False),
        CodeGroup(id="fear", name="Fear", description="afraid others will find out"),
        CodeGroup(id="tired", name="Tiredness", description="no energy, exhausted"),
    ]
    _Handler.reply = {
        "choices": [
            {
                "message": {
                    "content": '```json\n{"answers": [{"excerpt": 1, "group": 1}, '
                    '{"excerpt": 2, "group": 0}]}\n```'
                }
            }
        ]
    }
    client = ChatClient(base_url=server, model="llama3")
    s1, s2 = suggest_codes_llm(client, UNITS, groups)
    assert s1.code_group_id == "fear" and "Fear" in s1.reason
    assert s2.code_group_id is None and "no group" in s2.reason
    prompt = _Handler.requests[-1]["body"]["messages"][1]["content"]
    assert "1. Fear: afraid others will find out" in prompt
    assert "Health" not in prompt  # a category cannot be coded
    assert "Hun var sliten hele tiden." in prompt


def test_code_suggestions_refuse_an_answer_without_json(server):
    from kollega.stc.llm import suggest_codes_llm
    from kollega.stc.types import CodeGroup

    _Handler.reply = {"choices": [{"message": {"content": "I think the first one."}}]}
    client = ChatClient(base_url=server, model="llama3")
    with pytest.raises(LlmError, match="no JSON"):
        suggest_codes_llm(client, UNITS, [CodeGroup(id="g", name="G")])
