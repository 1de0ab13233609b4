"""A tiny client for an OpenAI-compatible chat endpoint on the organisation's own network.

Used only for two optional assistants, both off unless a client is configured: the
first-person rewriting of condensates, and code suggestions from the code groups'
names and descriptions (`suggest_codes_llm`), for a project without coded examples yet.
Any OpenAI-compatible ``/v1/chat/completions`` (e.g. Ollama on the organisation's own
network). Standard library only; nothing is sent unless configured.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from kollega.stc.steps.suggest import CodeSuggestion
    from kollega.stc.types import CodeGroup, MeaningUnit

__all__ = ["CODE_PROMPT", "REWRITE_PROMPT", "ChatClient", "LlmError", "suggest_codes_llm"]

REWRITE_PROMPT = (
    "Rewrite the following excerpts from a research interview as one short condensate in "
    "the first person ('I ...'), in the language of the excerpts, keeping the participant's "
    "meaning and words as far as possible. Add nothing that is not in the excerpts. "
    "Answer with the condensate only."
)


CODE_PROMPT = (
    "You sort excerpts from research interviews into code groups. The code groups are "
    "listed with a number, a name and a description. For each excerpt, answer with the "
    "number of the one code group it belongs to, or 0 if none fits. Answer with JSON "
    'only: {"answers": [{"excerpt": <excerpt number>, "group": <group number>}, ...]}.'
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


def suggest_codes_llm(
    client: ChatClient,
    units: Sequence[MeaningUnit],
    code_groups: Sequence[CodeGroup],
    *,
    batch_size: int = 20,
) -> list[CodeSuggestion]:
    """Suggestions from the code groups' names and descriptions by a chat model.

    Only codable groups are offered. Units go in batches of ``batch_size``, numbered;
    the model answers a group number per unit. A unit the model leaves out, answers 0
    for, or answers with a number no group has is abstained on, with the reason. The
    ranking holds the chosen group only (a chat model gives no calibrated
    probabilities), so ``confidence`` is 1.0 for a suggestion and 0.0 otherwise.
    Raises LlmError when the endpoint fails or answers no JSON.
    """
    # Imported when used: it loads a model or numerical libraries, slow to import.
    from kollega.stc.steps.suggest import CodeSuggestion

    groups = [g for g in code_groups if g.codable]
    if not groups:
        raise ValueError("suggest_codes_llm needs at least one codable code group")
    book = "\n".join(
        f"{i}. {g.name}" + (f": {g.description}" if g.description else "")
        for i, g in enumerate(groups, start=1)
    )
    out: list[CodeSuggestion] = []
    for b in range(0, len(units), batch_size):
        batch = units[b : b + batch_size]
        excerpts = "\n\n".join(f"Excerpt {i}:\n{u.text}" for i, u in enumerate(batch, start=1))
        reply = client.chat(CODE_PROMPT, f"Code groups:\n{book}\n\n{excerpts}")
        answers = _answers(reply)
        for i, u in enumerate(batch, start=1):
            n = answers.get(i)
            if n is None or not 1 <= n <= len(groups):
                why = (
                    "the model gave no answer"
                    if n is None
                    else "the model found no group that fits"
                )
                out.append(
                    CodeSuggestion(u.id, [], 0.0, None, reason=why, advice="code it yourself")
                )
                continue
            g = groups[n - 1]
            out.append(
                CodeSuggestion(
                    u.id,
                    [(g.id, 1.0)],
                    1.0,
                    g.id,
                    reason=f"{client.model} chose '{g.name}' from the code groups' descriptions",
                )
            )
    return out


def _answers(reply: str) -> dict[int, int]:
    """``{excerpt number: group number}`` from the model's JSON (fences allowed)."""
    match = re.search(r"\{.*\}", reply, re.DOTALL)
    if match is None:
        raise LlmError("the chat model answered no JSON")
    try:
        data = json.loads(match.group(0))
        return {
            int(a["excerpt"]): int(a["group"])
            for a in data["answers"]
            if isinstance(a, dict) and "excerpt" in a and "group" in a
        }
    except (ValueError, KeyError, TypeError) as exc:
        raise LlmError(f"the chat model's JSON has no usable answers: {exc}") from exc
