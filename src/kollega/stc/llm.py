"""A tiny client for an OpenAI-compatible chat endpoint on the organisation's own network.

Used only for the optional first-person rewriting of condensates (e.g. Ollama's
``/v1/chat/completions``). Standard library only; nothing is sent unless configured.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

__all__ = ["REWRITE_PROMPT", "ChatClient", "LlmError"]

REWRITE_PROMPT = (
    "Rewrite the following excerpts from a research interview as one short condensate in "
    "the first person ('I ...'), in the language of the excerpts, keeping the participant's "
    "meaning and words as far as possible. Add nothing that is not in the excerpts. "
    "Answer with the condensate only."
)


class LlmError(RuntimeError):
    """The endpoint could not be reached or gave an answer we cannot read."""


@dataclass(slots=True)
class ChatClient:
    """``base_url`` is the API root, e.g. ``http://127.0.0.1:11434/v1``."""

    base_url: str
    model: str
    api_key: str | None = None
    timeout: float = 120.0
    temperature: float = 0.2

    @property
    def model_id(self) -> str:
        return f"{self.model}@{self.base_url}"

    def settings(self) -> dict[str, Any]:
        return {"base_url": self.base_url, "model": self.model, "temperature": self.temperature}

    def chat(self, system: str, user: str) -> str:
        """Send one system + user message; return the assistant's text."""
        url = self.base_url.rstrip("/") + "/chat/completions"
        if not url.startswith(("http://", "https://")):
            raise LlmError(f"endpoint must be http(s): {url}")
        body = json.dumps(
            {
                "model": self.model,
                "temperature": self.temperature,
                "messages": [
                    {"role": "system", "content": system},
                    {"role": "user", "content": user},
                ],
            }
        ).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - scheme checked above
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - scheme checked above
                data = json.loads(resp.read())
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise LlmError(f"chat endpoint {url} failed: {exc}") from exc
        try:
            text = data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError) as exc:
            raise LlmError(f"chat endpoint {url} gave no choices[0].message.content") from exc
        if not isinstance(text, str):
            raise LlmError("chat endpoint returned non-text content")
        return text.strip()

    def rewrite_first_person(self, excerpts: list[str]) -> str:
        return self.chat(REWRITE_PROMPT, "\n\n".join(f"- {e}" for e in excerpts))
